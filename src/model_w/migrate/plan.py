"""The Plan: which registered steps run for these Facts and Answers, in order."""

from __future__ import annotations

from dataclasses import dataclass

from model_w.migrate.answers import Answers
from model_w.migrate.facts import Facts
from model_w.migrate.steps import Step, all_steps


@dataclass
class PlanEntry:
    step: Step
    status: str  # planned, skipped, done
    reason: str = ""

    @property
    def id(self) -> str:
        return self.step.id

    def to_json(self) -> dict:
        return {
            "id": self.step.id,
            "title": self.step.title,
            "why": self.step.why,
            "status": self.status,
            "reason": self.reason,
        }


@dataclass
class Plan:
    entries: list[PlanEntry]

    @property
    def planned(self) -> list[PlanEntry]:
        return [e for e in self.entries if e.status == "planned"]

    def to_json(self) -> list[dict]:
        return [e.to_json() for e in self.entries]


def build_plan(facts: Facts, answers: Answers, done: list[str] | None = None) -> Plan:
    done_ids = set(done or [])
    entries = []
    for step in all_steps():
        if answers.steps is not None and step.id not in answers.steps:
            entries.append(PlanEntry(step, "skipped", "not selected"))
        elif step.id in answers.exclude_steps:
            entries.append(PlanEntry(step, "skipped", "excluded"))
        elif step.id in done_ids:
            entries.append(PlanEntry(step, "done", "already committed on this branch"))
        elif not step.applies(facts, answers):
            entries.append(PlanEntry(step, "skipped", step.skip_reason(facts, answers)))
        else:
            entries.append(PlanEntry(step, "planned"))
    return Plan(entries)
