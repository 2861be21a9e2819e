"""Quality gates for CI: thresholds over a Report, and JUnit XML for dashboards.

Thresholds (all optional, 0-100):
- ``min_overall``: each script's series overall;
- ``min_episode``: each episode's overall;
- ``min_emotional`` / ``min_cultural`` / ``min_narrative``: each episode's dimension score.
"""
from __future__ import annotations

from dataclasses import dataclass

from resonance.report import Report

THRESHOLD_KEYS = ("min_overall", "min_episode", "min_emotional", "min_cultural", "min_narrative")


@dataclass(frozen=True)
class CheckResult:
    source: str
    episode: int | None  # None for the series-level case
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


def run_checks(report: Report, thresholds: dict[str, float]) -> list[CheckResult]:
    results = []
    for script in report.scripts:
        if thresholds.get("min_overall") is not None:
            value, limit = script.series.scores["overall"], thresholds["min_overall"]
            failures = (f"series overall {value:.1f} < {limit:g}",) if value < limit else ()
            results.append(CheckResult(script.source, None, failures))
        for ep in script.episodes:
            failures = []
            if thresholds.get("min_episode") is not None and ep.scores["overall"] < thresholds["min_episode"]:
                failures.append(f"overall {ep.scores['overall']:.1f} < {thresholds['min_episode']:g}")
            for dim in ("emotional", "cultural", "narrative"):
                limit = thresholds.get(f"min_{dim}")
                if limit is not None and ep.scores[dim] < limit:
                    failures.append(f"{dim} {ep.scores[dim]:.1f} < {limit:g}")
            results.append(CheckResult(script.source, ep.number, tuple(failures)))
    return results


def to_junit(results: list[CheckResult], errors: tuple[dict, ...] = ()) -> str:
    import xml.etree.ElementTree as ET

    suites = ET.Element("testsuites", name="resonance")
    by_source: dict[str, list[CheckResult]] = {}
    for result in results:
        by_source.setdefault(result.source, []).append(result)
    for source, cases in by_source.items():
        suite = ET.SubElement(suites, "testsuite", name=source, tests=str(len(cases)),
                              failures=str(sum(not c.passed for c in cases)), errors="0")
        for case in cases:
            name = "series" if case.episode is None else f"episode {case.episode}"
            element = ET.SubElement(suite, "testcase", classname=source, name=name)
            if not case.passed:
                failure = ET.SubElement(element, "failure", message="; ".join(case.failures))
                failure.text = "\n".join(case.failures)
    for error in errors:
        suite = ET.SubElement(suites, "testsuite", name=str(error["source"]), tests="1", failures="0", errors="1")
        case = ET.SubElement(suite, "testcase", classname=str(error["source"]), name="read")
        ET.SubElement(case, "error", message=str(error["message"]))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
