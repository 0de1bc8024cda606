"""One validator per identifier a seller types during onboarding.

Each takes the raw text as typed, normalizes it (:mod:`flows.normalize`), and returns
the value to store, in one canonical spelling, or raises
:class:`~flows.errors.ValidationError` whose code is the message id that tells the
seller what a right answer looks like. The code is always a string literal at the
``raise`` (the catalog extraction reads it from there).

Check digits, phone ranges and e-mail syntax are python-stdnum's, phonenumbers' and
email-validator's job: those libraries follow the registries' changes, we don't.
What is written out here are the rules no library holds (Companies House prefixes,
NIB length, which dates are plausible). Nothing here goes to the network; the
Companies House lookup and the invite code lookup live elsewhere.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from types import MappingProxyType

import phonenumbers
from phonenumbers import PhoneNumber, PhoneNumberFormat, PhoneNumberType
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.id import nik as stdnum_nik
from stdnum.id import npwp as stdnum_npwp

from flows.errors import ValidationError
from flows.normalize import clean_text, compact, unify_dashes

__all__ = [
    "COMPANIES_HOUSE_PREFIXES",
    "companies_house_number",
    "company_name",
    "email",
    "id_mobile",
    "individual_tax_id",
    "invite_code_format",
    "nib",
    "nik",
    "npwp",
    "past_date",
    "uk_mobile",
    "uscc",
]

#: Prefix → register, for Companies House numbers that are not England & Wales
#: companies (those are eight digits). From the Companies House URI customer guide,
#: plus prefixes the register uses that the guide predates (CE, CS, SG, RS, OE).
COMPANIES_HOUSE_PREFIXES = MappingProxyType(
    {
        "SC": "Scottish company",
        "NI": "Northern Ireland company",
        "R0": "Northern Ireland company registered before partition",
        "OC": "limited liability partnership, England & Wales",
        "SO": "limited liability partnership, Scotland",
        "NC": "limited liability partnership, Northern Ireland",
        "LP": "limited partnership, England & Wales",
        "SL": "limited partnership, Scotland",
        "NL": "limited partnership, Northern Ireland",
        "SG": "Scottish qualifying partnership",
        "FC": "overseas company",
        "SF": "overseas company registered in Scotland before October 2009",
        "NF": "overseas company registered in Northern Ireland before October 2009",
        "OE": "overseas entity (Register of Overseas Entities)",
        "SE": "European company (Societas Europaea), England & Wales",
        "ES": "European company (Societas Europaea), Scotland",
        "EN": "European company (Societas Europaea), Northern Ireland",
        "GE": "European economic interest grouping, England & Wales",
        "GS": "European economic interest grouping, Scotland",
        "GN": "European economic interest grouping, Northern Ireland",
        "AC": "assurance company, England & Wales",
        "SA": "assurance company, Scotland",
        "NA": "assurance company, Northern Ireland",
        "ZC": "unregistered company, England & Wales",
        "SZ": "unregistered company, Scotland",
        "NZ": "unregistered company, Northern Ireland",
        "CE": "charitable incorporated organisation, England & Wales",
        "CS": "charitable incorporated organisation, Scotland",
        "IC": "investment company with variable capital, England & Wales",
        "SI": "investment company with variable capital, Scotland",
        "NV": "investment company with variable capital, Northern Ireland",
        "RC": "royal charter company, England & Wales",
        "SR": "royal charter company, Scotland",
        "NR": "royal charter company, Northern Ireland",
        "IP": "industrial and provident society, England & Wales",
        "SP": "industrial and provident society, Scotland",
        "NP": "industrial and provident society or credit union, Northern Ireland",
        "NO": "credit union or industrial and provident society, Northern Ireland",
        "RS": "registered society",
    }
)
# Mutual societies keep the number their old register gave them, which may end in a
# letter (Co-operative Group is IP00525R); the other registers use six digits.
_SOCIETY_PREFIXES = ("IP", "SP", "NP", "NO", "RS")
_COMPANIES_HOUSE_NUMBER = re.compile(
    "[0-9]{8}"
    f"|(?:{'|'.join(COMPANIES_HOUSE_PREFIXES)})[0-9]{{6}}"
    f"|(?:{'|'.join(_SOCIETY_PREFIXES)})[0-9]{{5}}[A-Z]"
)
_DIGITS_ONLY = re.compile("[0-9]+")
_NIB = re.compile("[0-9]{13}")
_NIK_SHAPE = re.compile("[0-9]{16}")
_PHONE = re.compile(r"\+?[0-9]{5,20}")
_INVITE_CODE = re.compile("[A-Z0-9-]{4,32}")

_OLDEST_DATE = datetime.date(1850, 1, 1)
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan", "januari"),
            ("february", "feb", "februari", "pebruari"),
            ("march", "mar", "maret"),
            ("april", "apr"),
            ("may", "mei"),
            ("june", "jun", "juni"),
            ("july", "jul", "juli"),
            ("august", "aug", "agustus", "agu", "ags", "agt"),
            ("september", "sep", "sept"),
            ("october", "oct", "oktober", "okt"),
            ("november", "nov", "nopember", "nop"),
            ("december", "dec", "desember", "des"),
        ],
        start=1,
    )
    for name in names
}
# "2019年3月14日" (or colloquial "…14号") becomes "2019-3-14"; a Chinese IME types "。"
# for ".". Dates are lower-cased first, so the month names above are lower case.
_CHINESE_DATE_MARKS = str.maketrans({"年": "-", "月": "-", "日": None, "号": None, "。": "."})
_DAY, _MONTH, _YEAR = "(?P<d>[0-9]{1,2})", "(?P<m>[0-9]{1,2})", "(?P<y>[0-9]{4})"
_NAME, _ORDINAL = "(?P<name>[a-z]+)", "(?:st|nd|rd|th)?"
_SEP, _NAME_SEP = r"(?:\s*[-/.]\s*|\s+)", r"[\s\-/.,]*"
_DATE_PATTERNS = tuple(
    re.compile(pattern)
    for pattern in (
        _YEAR + _SEP + _MONTH + _SEP + _DAY,
        _DAY + _SEP + _MONTH + _SEP + _YEAR,
        _DAY + _ORDINAL + _NAME_SEP + _NAME + _NAME_SEP + _YEAR,
        _NAME + _NAME_SEP + _DAY + _ORDINAL + _NAME_SEP + _YEAR,
    )
)


def company_name(raw: str) -> str:
    """A registered company name: 2–160 characters, at least one letter or digit."""
    name = clean_text(raw)
    if not 2 <= len(name) <= 160 or not any(c.isalnum() for c in name):
        raise ValidationError("error_company_name")
    return name


def companies_house_number(raw: str) -> str:
    """A Companies House number in its 8-character form (``1234567`` → ``01234567``)."""
    number = compact(raw).upper()
    if _DIGITS_ONLY.fullmatch(number) and len(number) < 8:
        # Companies House drops leading zeros in print; the register keys on all eight.
        number = number.zfill(8)
    if not _COMPANIES_HOUSE_NUMBER.fullmatch(number):
        raise ValidationError("error_ch_number")
    return number


def uscc(raw: str) -> str:
    """A China Unified Social Credit Code (统一社会信用代码), upper case, check verified.

    A code of the right shape whose last character does not match is almost always a
    typo in one character: it gets its own message, not the one about the shape.
    """
    try:
        return stdnum_uscc.validate(compact(raw))
    except InvalidChecksum:
        raise ValidationError("error_uscc_check") from None
    except StdnumValidationError:
        raise ValidationError("error_uscc") from None


def nik(raw: str) -> str:
    """An Indonesian NIK: 16 digits with a real region and birth date (women: day + 40).

    Sixteen digits whose date part (digits 7–12, DDMMYY) is no date get their own
    message: the seller typed the right kind of number with a slip in the middle.
    """
    number = compact(raw)
    if not _NIK_SHAPE.fullmatch(number):
        raise ValidationError("error_nik")
    day = int(number[6:8])  # stdnum takes the day modulo 40, so it lets 81–99 through
    if not (1 <= day <= 31 or 41 <= day <= 71) or not _has_birth_date(number):
        raise ValidationError("error_nik_date")
    if _stdnum(stdnum_nik.validate, raw) is None:
        raise ValidationError("error_nik")
    return number


def npwp(raw: str) -> str:
    """An Indonesian NPWP as digits: 15 (pre-2024, check digit verified) or 16."""
    if (number := _stdnum(stdnum_npwp.validate, raw)) is None:
        raise ValidationError("error_npwp")
    return number


def individual_tax_id(raw: str) -> str:
    """An individual's tax id: an NPWP, or the NIK that since 2024 serves as one."""
    # stdnum's NPWP rules already accept a 16-digit NIK, validated as a NIK.
    if (number := _stdnum(stdnum_npwp.validate, raw)) is None:
        raise ValidationError("error_tax_id")
    return number


def nib(raw: str) -> str:
    """An Indonesian NIB (Nomor Induk Berusaha): 13 digits; there is no public check digit."""
    number = compact(raw)
    if not _NIB.fullmatch(number):
        raise ValidationError("error_nib")
    return number


def uk_mobile(raw: str) -> str:
    """A UK mobile number in E.164 (``+447…``), Crown Dependency ranges included.

    A valid number from another country (typically a seller's Chinese mobile, with or
    without +86) gets its own code: the seller needs a UK SIM, not a retype.
    """
    number = _parse_phone(raw, "GB")
    if number is not None and _is_mobile(number, country_code=44):
        return phonenumbers.format_number(number, PhoneNumberFormat.E164)
    if number is not None and number.country_code != 44 and phonenumbers.is_valid_number(number):
        raise ValidationError("error_uk_mobile_foreign")
    as_chinese = _parse_phone(raw, "CN")
    if as_chinese is not None and _is_mobile(as_chinese, country_code=86):
        raise ValidationError("error_uk_mobile_foreign")
    if number is not None and _looks_like_uk_mobile(number):
        # 07 and eleven digits, but a range no mobile uses (07700 900…: Ofcom keeps it for drama)
        raise ValidationError("error_uk_mobile_range")
    raise ValidationError("error_uk_mobile")


def id_mobile(raw: str) -> str:
    """An Indonesian mobile number in E.164 (``+628…``)."""
    number = _parse_phone(raw, "ID")
    if number is None or not _is_mobile(number, country_code=62):
        raise ValidationError("error_id_mobile")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def email(raw: str) -> str:
    """An e-mail address, domain lower-cased; syntax only, no DNS lookup."""
    # A Chinese IME types "。" for "."; NFKC already turned "＠" into "@".
    text = clean_text(raw).replace("。", ".")
    # imported here, not at the top: its regular expressions cost ~20 ms of every start-up
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValidationError("error_email") from exc


def past_date(raw: str, *, today: datetime.date) -> datetime.date:
    """A date between 1850 and ``today``, written the way UK, Chinese or Indonesian sellers do.

    All-digit dates are year first (``2019-03-14``, ``2019/3/14``, ``2019年3月14日``)
    or day first as in the UK (``14/03/2019``, ``14.03.2019``); never month first.
    Month names may be English or Indonesian, in full or short (``14 Mar 2019``,
    ``14 Maret 2019``, ``March 14, 2019``).
    """
    text = unify_dashes(clean_text(raw).lower()).translate(_CHINESE_DATE_MARKS).strip()
    date = _match_date(text)
    if date is None or date < _OLDEST_DATE:
        raise ValidationError("error_date_format")
    if date > today:
        raise ValidationError("error_date_future")
    return date


def invite_code_format(raw: str) -> str:
    """An invite code's shape, upper-cased: 4–32 of A–Z, 0–9 and ``-``."""
    code = unify_dashes(clean_text(raw)).upper()
    if not _INVITE_CODE.fullmatch(code):
        raise ValidationError("error_invite_code_format")
    return code


def _stdnum(validate: Callable[[str], str], raw: str) -> str | None:
    """``validate(compact(raw))``, or None where python-stdnum refuses the number."""
    try:
        return validate(compact(raw))
    except StdnumValidationError:
        return None


def _has_birth_date(number: str) -> bool:
    """Whether a NIK's digits 7–12 are a calendar date (DDMMYY, women's day + 40)."""
    try:
        stdnum_nik.get_birth_date(number)
    except StdnumValidationError:
        return False
    return True


def _parse_phone(raw: str, region: str) -> PhoneNumber | None:
    """``raw`` parsed as dialled in ``region``; None unless it is only digits and a leading +."""
    text = compact(raw)
    if not _PHONE.fullmatch(text):
        return None  # phonenumbers would read letters as a vanity number
    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None


def _is_mobile(number: PhoneNumber, *, country_code: int) -> bool:
    # Country code, not region: +44 7781 is Guernsey and +44 7624 the Isle of Man.
    return (
        number.country_code == country_code
        and phonenumbers.is_valid_number(number)
        and phonenumbers.number_type(number) == PhoneNumberType.MOBILE
    )


def _looks_like_uk_mobile(number: PhoneNumber) -> bool:
    """+44 7 and ten national digits: the shape of a UK mobile, valid or not."""
    national = str(number.national_number)
    return number.country_code == 44 and len(national) == 10 and national.startswith("7")


def _match_date(text: str) -> datetime.date | None:
    """The calendar date ``text`` spells in one of the accepted patterns, if any."""
    for pattern in _DATE_PATTERNS:
        if found := pattern.fullmatch(text):
            parts = found.groupdict()
            name = parts.get("name")
            month = _MONTHS.get(name) if name is not None else int(parts["m"])
            if month is None:
                return None
            try:
                return datetime.date(int(parts["y"]), month, int(parts["d"]))
            except ValueError:  # 31 February, month 13, year 0
                return None
    return None
