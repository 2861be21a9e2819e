"""The HTML report as a reader sees it: opened from disk in headless Chromium, on a phone and a laptop.

Skipped when Playwright or a Chromium binary is missing (.ci/run installs both). Set
RESONANCE_SCREENSHOT_DIR to keep the screenshots (html_phone.png, html_laptop.png) for a look.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from resonance.cli import app

# Twelve short episodes, so that the paywall window (8-12 by default) lies inside the series.
ZH_EPISODES = [
    ("红酒", ["△一杯红酒泼在林晚的婚纱上。", "周母（冷笑）：三万块？你拿什么还？", "林晚：我会还的，一分不少。"]),
    ("离开", ["周母：滚出去！", "林晚（OS）：这一次，我不会再低头。", "△门外，一辆黑色轿车停下。"]),
    ("玉佩", ["秦叔：大小姐，老爷子等了您二十三年。", "△秦叔递上一枚旧玉佩。", "林晚：原来……我妈当年没有骗我？"]),
    ("回家", ["△林家老宅，灯火通明。", "林父：晚晚，爸爸对不起你。", "林晚：你为什么现在才来？"]),
    ("傩戏", ["△祠堂里，傩戏开场，鼓声震天。", "秦叔：这是林家的规矩。", "林晚：我学。"]),
    ("合同", ["周总：这份合同，你签还是不签？", "林晚：不签。", "周总：你会后悔的！"]),
    ("重逢", ["△宴会厅，周子航愣在原地。", "周子航：晚晚？你怎么会在这里？", "林晚：周先生，好久不见。"]),
    ("真相", ["林晚：当年推我下楼的人，是你？", "周母：你有什么证据？", "△林晚拿出一段录音。谁？！"]),
    ("反击", ["林晚：周氏的股份，我收下了。", "周总：你凭什么！", "△大屏幕上，周氏股价暴跌。"]),
    ("平静", ["△林晚坐在窗边喝茶。", "秦叔：今天没什么事。", "林晚：明天见。"]),
    ("绑架", ["△一只手捂住林晚的嘴。", "绑匪：别出声！", "林晚（OS）：是谁要我的命？"]),
    ("摊牌", ["周子航：晚晚，我什么都不知道！", "林晚：那你现在知道了。", "△门被撞开，警笛声响起。你是谁？！"]),
]

EN_SCRIPT = """EPISODE 1
INT. PENTHOUSE - NIGHT
Lily stares at the contract.
Ethan: Sign it!
Lily: Why would I ever sign that?
Episode 2
EXT. ROOFTOP - DAY
Lily: You lied to me!
Ethan: I never lied.
Episode 3
INT. CAR - NIGHT
Lily: Who are you really?
"""

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
BAR_COLOURS = {"emotional": (0xE4, 0x57, 0x2E), "cultural": (0x17, 0xBE, 0xBB),
               "narrative": (0x4B, 0x3F, 0x72), "overall": (0x22, 0x22, 0x22)}
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def zh_script() -> str:
    episodes = []
    for number, (title, lines) in enumerate(ZH_EPISODES, start=1):
        episodes.append(f"第{number}集 {title}\n{number}-1 日 内 林家\n人物：林晚\n" + "\n".join(lines) + "\n")
    return "\n".join(episodes)


def chromium_executable() -> str | None:
    explicit = os.environ.get("RESONANCE_CHROMIUM")
    names = [explicit] if explicit else ["chromium", "chromium-browser", "google-chrome"]
    return next(filter(None, map(shutil.which, names)), None)


@pytest.fixture
def report_file(tmp_path, monkeypatch, stand_in_models) -> Path:
    monkeypatch.setattr("resonance.pipeline.default_models", lambda config, int8=None: stand_in_models)
    (tmp_path / "逆袭千金.txt").write_text(zh_script(), encoding="utf-8")
    (tmp_path / "billionaire.txt").write_text(EN_SCRIPT, encoding="utf-8")
    target = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["score", str(tmp_path / "逆袭千金.txt"), str(tmp_path / "billionaire.txt"),
                                      "--format", "html", "-o", str(target)])
    assert result.exit_code == 0, result.output
    return target


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    executable = chromium_executable()
    if executable is None:
        pytest.skip("no Chromium binary found (apt-get install chromium, or set RESONANCE_CHROMIUM)")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium_profile")), executable_path=executable,
            args=CHROMIUM_FLAGS, headless=True)
        context.set_default_timeout(30_000)
        yield context
        context.close()


class OpenedReport:
    """A page with the report loaded, and everything the browser said or fetched on the way."""

    def __init__(self, browser, url: str, viewport: dict):
        self.url = url
        self.console_errors: list[str] = []
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.page = browser.new_page()
        self.page.set_viewport_size(viewport)
        self.page.on("console", lambda m: m.type in ("error", "warning") and self.console_errors.append(m.text))
        self.page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url}: {r.failure}"))
        self.page.goto(url, wait_until="load")

    def box(self, selector: str, index: int = 0) -> dict:
        return self.page.locator(selector).nth(index).bounding_box()

    def screenshot(self, path: Path):
        from PIL import Image

        self.page.screenshot(path=str(path), full_page=True)
        return Image.open(path).convert("RGB")


@pytest.fixture
def open_report(browser, report_file):
    opened = []

    def _open(viewport: dict) -> OpenedReport:
        opened.append(OpenedReport(browser, report_file.as_uri(), viewport))
        return opened[-1]

    yield _open
    for report in opened:
        report.page.close()


def keep_screenshot(path: Path, name: str) -> None:
    folder = os.environ.get("RESONANCE_SCREENSHOT_DIR")
    if folder:
        shutil.copyfile(path, Path(folder) / name)


def colour_count(image, colour: tuple[int, int, int], tolerance: int = 12) -> int:
    return sum(count for count, pixel in image.getcolors(maxcolors=1 << 24)
               if all(abs(a - b) <= tolerance for a, b in zip(pixel, colour)))


def non_white_share(image) -> float:
    grey = image.convert("L")
    return sum(grey.histogram()[:235]) / (grey.width * grey.height)


def crop(image, box: dict):
    return image.crop((int(box["x"]), int(box["y"]), int(box["x"] + box["width"]), int(box["y"] + box["height"])))


def test_report_opens_from_disk_without_errors_or_network(open_report):
    report = open_report(LAPTOP)
    assert report.console_errors == []
    assert report.failed == []
    assert [url for url in report.requests if url != report.url] == []


def test_every_script_has_one_bar_per_episode_and_score_and_an_arc(open_report):
    page = open_report(LAPTOP).page
    sections = page.locator("main > section")
    assert sections.count() == 2
    for index, episodes in enumerate((12, 3)):
        section = sections.nth(index)
        assert section.locator("table tr").count() == episodes + 1  # plus the header row
        assert section.locator("svg.bars rect").count() == episodes * 4
        lines = section.locator("svg.arc polyline")
        assert lines.count() == 3
        for line in range(3):
            assert len(lines.nth(line).get_attribute("points").split()) == episodes
        assert all(box["width"] > 0
                   for box in section.locator("svg.bars rect").evaluate_all(
                       "rects => rects.map(r => r.getBoundingClientRect().toJSON())"))
    assert sections.nth(0).locator("svg.arc rect title", has_text="paywall window").count() == 1
    assert sections.nth(1).locator("svg.arc rect").count() == 0  # three episodes end before the paywall


def test_phone_is_one_readable_column_without_horizontal_scroll(open_report, tmp_path):
    pytest.importorskip("PIL.Image", reason="pillow is not installed (pip install -e '.[test]')")
    report = open_report(PHONE)
    page = report.page
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    bars, arc = report.box("svg.bars"), report.box("svg.arc")
    assert abs(bars["x"] - arc["x"]) < 1 and arc["y"] >= bars["y"] + bars["height"]  # stacked, not side by side
    assert bars["width"] >= 300
    # The axis labels are scaled with the chart: they must stay big enough to read.
    assert page.locator("svg.bars text").first.bounding_box()["height"] >= 9

    shot = tmp_path / "html_phone.png"
    image = report.screenshot(shot)
    keep_screenshot(shot, "html_phone.png")
    assert image.width == PHONE["width"]
    chart = crop(image, bars)
    assert non_white_share(chart) > 0.1
    for dim, colour in BAR_COLOURS.items():
        assert colour_count(chart, colour) > 100, f"no {dim} bars visible on the phone"


def test_laptop_shows_the_two_charts_side_by_side(open_report, tmp_path):
    pytest.importorskip("PIL.Image", reason="pillow is not installed (pip install -e '.[test]')")
    report = open_report(LAPTOP)
    assert report.page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    bars, arc = report.box("svg.bars"), report.box("svg.arc")
    assert abs(bars["y"] - arc["y"]) < 1 and arc["x"] >= bars["x"] + bars["width"]

    shot = tmp_path / "html_laptop.png"
    image = report.screenshot(shot)
    keep_screenshot(shot, "html_laptop.png")
    assert image.width == LAPTOP["width"]
    for dim, colour in BAR_COLOURS.items():
        assert colour_count(crop(image, bars), colour) > 200, f"no {dim} bars visible on the laptop"
    lines = crop(image, arc)
    for dim in ("emotional", "cultural", "narrative"):
        assert colour_count(lines, BAR_COLOURS[dim], tolerance=40) > 20, f"no {dim} line in the arc"


def test_chinese_text_is_drawn_with_a_real_font_not_boxes(open_report):
    # A glyph no font has (U+10FFFD) draws as the missing-glyph box; real CJK characters must not.
    drawn_as_missing = open_report(PHONE).page.evaluate("""() => {
        const font = getComputedStyle(document.querySelector('td.t')).font;
        const canvas = document.createElement('canvas');
        canvas.width = canvas.height = 48;
        const pen = canvas.getContext('2d');
        const draw = text => {
            pen.clearRect(0, 0, 48, 48);
            pen.font = font;
            pen.fillText(text, 4, 36);
            return pen.getImageData(0, 0, 48, 48).data.join();
        };
        const missing = draw('\\u{10FFFD}');
        return ['林', '晚', '红', '酒'].filter(ch => draw(ch) === missing);
    }""")
    assert drawn_as_missing == [], "CJK shows as boxes: install a CJK font (apt-get install fonts-noto-cjk)"
