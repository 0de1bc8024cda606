"""Shared doubles for the flow tests: outside look-ups and a seller who answers the engine.

``new_seller`` walks a seller along a track with real, valid identifiers (the scripts
below) up to the step a test starts from, so each test states only what it checks.
Test modules import the types below under ``TYPE_CHECKING`` only (pytest loads this file
itself), and build the files they send themselves: each test shows its own data.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import pytest

from flows.answers import Answer, ChoiceAnswer, FileAnswer, TextAnswer
from flows.bulk import BulkResult
from flows.engine import advance, go_back, prompt, prompt_key
from flows.errors import ValidationError
from flows.progress import CompanyCheck, FlowEnv, Outcome, Progress, Prompt
from flows.tracks import MARKET_OF_TRACK

TODAY = dt.date(2026, 3, 2)
ACME = CompanyCheck("found", "ACME TRADING LTD", "active")

_file_ids = itertools.count(1)


def _photo() -> FileAnswer:
    """A photo as Telegram reports it (the bot sets the JPEG type photos always have)."""
    n = next(_file_ids)
    return FileAnswer(f"photo-{n}", f"u-photo-{n}", "photo", "image/jpeg", 180_000, "", 1280, 960)


def _pdf() -> FileAnswer:
    n = next(_file_ids)
    return FileAnswer(f"doc-{n}", f"u-doc-{n}", "document", "application/pdf", 250_000, "scan.pdf")


def _intake(track: str) -> tuple[tuple[str, Answer], ...]:
    return (
        ("language", ChoiceAnswer("language", "en")),
        ("market", ChoiceAnswer("market", MARKET_OF_TRACK[track])),
        ("track", ChoiceAnswer("track", track)),
    )


SCRIPTS: Mapping[str, tuple[tuple[str, Answer], ...]] = {
    "uk_business": (
        ("company_name", TextAnswer("ACME Trading Ltd")),
        ("company_number", TextAnswer("sc 123456")),
        ("company_confirm", ChoiceAnswer("company_confirm", "yes")),
        ("incorporation_date", TextAnswer("14/03/2019")),
        ("incorporation_certificate", _pdf()),
        ("representative_id", _photo()),
        ("phone", TextAnswer("07400 123456")),
    ),
    "uk_individual": (
        ("id_document", _photo()),
        ("selfie_with_id", _photo()),
        ("address_proof", _pdf()),
        ("phone", TextAnswer("07400 123456")),
    ),
    "uk_crossborder": (
        ("company_name", TextAnswer("Shenzhen Acme Trading Co., Ltd.")),
        ("uscc", TextAnswer("91110000802100433B")),
        ("business_licence", _pdf()),
        ("legal_rep_id", _photo()),
        ("invite_code", TextAnswer("tts-uk-2026")),
        ("phone", TextAnswer("07400 123456")),
        ("email", TextAnswer("Shop@Example.COM")),
    ),
    "id_individual": (
        ("nik", TextAnswer("3171 0157 0845 0001")),  # a woman born 17/08/1945: day + 40
        ("tax_id", TextAnswer("01.312.166.0-091.000")),  # NPWP, 15 digits
        ("ktp_photo", _photo()),
        ("phone", TextAnswer("0812-3456-7890")),
    ),
    "id_business": (
        ("company_name", TextAnswer("PT Maju Bersama Sejahtera")),
        ("nib", TextAnswer("9120001234567")),
        ("company_npwp", TextAnswer("0013121660091000")),  # NPWP, 16 digits
        ("representative_ktp", _photo()),
        ("phone", TextAnswer("+62 812 3456 7890")),
    ),
}
"""Every track's own steps, answered validly, up to the products step."""

GUIDED_PRODUCTS: Mapping[str, tuple[str, str, str, str]] = {
    # currency: title, price, package, weight
    "GBP": ("Stoneware Coffee Mug 350 ml", "£12.99", "30x20x10", "0.45"),
    "IDR": ("Kemeja Batik Pria Lengan Panjang Katun", "Rp150.000", "30 x 25 x 3", "300 g"),
}


@dataclass
class FakeLookups:
    """Companies House and invite codes without network or database; records every call.

    ``companies`` maps a number to its check (default: ACME, active); ``refused_codes``
    maps an invite code to the error code its redemption raises.
    """

    companies: dict[str, CompanyCheck] = field(default_factory=dict)
    refused_codes: dict[str, str] = field(default_factory=dict)
    company_calls: list[str] = field(default_factory=list)
    redeemed: list[tuple[str, str]] = field(default_factory=list)

    def company(self, number: str) -> CompanyCheck:
        self.company_calls.append(number)
        return self.companies.get(number, ACME)

    def redeem_invite_code(self, code: str, *, market: str) -> None:
        self.redeemed.append((code, market))
        if code in self.refused_codes:
            raise ValidationError(self.refused_codes[code])

    def check_unique(self, field: str, value: str) -> None:
        """Everything is unique in the flow tests (the bot's limits are tested there)."""


class Seller:
    """One seller answering through the engine; keeps every prompt shown to them."""

    def __init__(self, env: FlowEnv) -> None:
        self.env = env
        self.progress = Progress()
        self.prompts: list[Prompt] = [prompt(self.progress, env)]

    @property
    def state(self) -> str:
        return self.progress.state

    @property
    def answers(self) -> dict[str, Any]:
        return self.progress.answers

    def send(self, answer: Answer | BulkResult) -> Outcome:
        """An answer the engine must accept (on a copy: the progress passed in stays)."""
        return self._moved(lambda progress: advance(progress, answer, self.env))

    def tap(self, value: str) -> Outcome:
        """The button ``value`` of the current prompt."""
        return self.send(ChoiceAnswer(prompt_key(self.progress), value))

    def type(self, text: str) -> Outcome:
        return self.send(TextAnswer(text))

    def back(self) -> Outcome:
        return self._moved(lambda progress: go_back(progress, self.env))

    def refused(self, answer: Answer | BulkResult) -> Outcome:
        """An answer the engine must refuse without changing anything."""
        return self._unchanged(lambda progress: advance(progress, answer, self.env))

    def refused_back(self) -> Outcome:
        """A step back the engine must refuse without changing anything."""
        return self._unchanged(lambda progress: go_back(progress, self.env))

    def add_product(self, *, price: str | None = None) -> Outcome:
        """Enter one valid product field by field, from the products menu."""
        title, default_price, package, weight = GUIDED_PRODUCTS[self._currency]
        self.tap("add")
        self.type(title)
        self.type(price or default_price)
        self.send(_photo())
        self.tap("images_done")
        self.type(package)
        return self.type(weight)

    def walk(self, track: str, *, until: str) -> Seller:
        """Answer validly from where the seller is until the state ``until``."""
        script = (*_intake(track), *SCRIPTS[track])
        for state, answer in script:
            if self.state == until:
                return self
            if state == self.state:  # a step skipped by a condition is not asked
                self.send(answer)
        if self.state != until:
            assert self.state == "products", f"script ended at {self.state}"
            self.add_product()
            if until != "products":
                self.tap("done")
                if until != "review":
                    self.tap("submit")
        assert self.state == until
        return self

    @property
    def _currency(self) -> str:
        return self.env.products_for(self.progress.track).currency

    def _unchanged(self, call: Callable[[Progress], Outcome]) -> Outcome:
        original, before = self.progress, self._snapshot()
        outcome = call(original)
        assert outcome.error is not None, f"accepted at {prompt_key(before)}"
        assert outcome.progress == before
        assert original == before  # the answers dict was not mutated either
        return outcome

    def _moved(self, call: Callable[[Progress], Outcome]) -> Outcome:
        original, before = self.progress, self._snapshot()
        outcome = call(original)
        assert outcome.error is None, f"refused at {prompt_key(before)}: {outcome.error}"
        assert original == before, "the engine changed the progress it was given"
        self.progress = outcome.progress
        self.prompts.append(prompt(self.progress, self.env))
        return outcome

    def _snapshot(self) -> Progress:
        return Progress(self.progress.track, self.progress.state, copy.deepcopy(self.answers))


class NewSeller(Protocol):
    def __call__(
        self,
        track: str | None = None,
        *,
        at: str = "language",
        rules: Mapping[str, Any] | None = None,
        product_rules: Mapping[str, Any] | None = None,
    ) -> Seller: ...


@pytest.fixture
def lookups() -> FakeLookups:
    return FakeLookups()


@pytest.fixture
def new_seller(lookups: FakeLookups) -> NewSeller:
    """A seller of ``track`` who has answered validly up to the state ``at``."""

    def make(
        track: str | None = None,
        *,
        at: str = "language",
        rules: Mapping[str, Any] | None = None,
        product_rules: Mapping[str, Any] | None = None,
    ) -> Seller:
        env = FlowEnv(lookups, today=TODAY, rules=rules or {}, product_rules=product_rules or {})
        seller = Seller(env)
        return seller.walk(track, until=at) if track is not None else seller

    return make
