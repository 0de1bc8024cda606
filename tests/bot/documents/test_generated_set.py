"""The generated licences and KTPs: valid made-up codes, the same photos on every run."""

from __future__ import annotations

import io
import random

from PIL import Image
from stdnum.id import nik as stdnum_nik

from flows import validators
from tests.documents import identities
from tests.documents.synthetic import _render


def test_every_made_up_code_passes_the_validator_a_typed_one_meets() -> None:
    rng = random.Random(21)
    for _ in range(300):
        firm, person = identities.licence(rng), identities.ktp(rng)
        assert validators.uscc(firm.uscc) == firm.uscc
        assert validators.nik(person.nik) == person.nik
        day = int(person.nik[6:8])
        assert (day > 40) == person.female
        assert stdnum_nik.get_birth_date(person.nik).day == person.birth_date.day


def test_a_seed_draws_the_same_photo_and_another_seed_another() -> None:
    first, again = _render("ktp", 3, 21), _render("ktp", 3, 21)
    other = _render("ktp", 3, 22)
    assert first == again
    assert first[1] != other[1]


def test_a_photo_is_a_jpeg_of_phone_size() -> None:
    photo, truth = _render("licence", 5, 21)
    image = Image.open(io.BytesIO(photo))
    assert image.format == "JPEG"
    assert 1400 <= max(image.size) <= 1900
    assert set(truth) == {"uscc", "company_name", "legal_representative"}
