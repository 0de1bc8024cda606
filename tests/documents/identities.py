"""Made-up firms and people for the synthetic documents: valid codes, plausible names.

Nothing here is a real person or firm: names are drawn from common surnames, given
names and shop words, and every code is computed, not copied. The codes are valid by
the same rules the bot checks (python-stdnum's USCC check character; a NIK's region from
python-stdnum's own table of Indonesian regencies, its date of birth with day + 40 for
women), so a reading that proposes them must pass :mod:`flows.validators`.
"""

from __future__ import annotations

import datetime
import random
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import stdnum
from stdnum.cn import uscc as stdnum_uscc

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭"  # common surnames
_SURNAMES += "曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
_GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国红玉梅志鹏飞宇浩然子涵欣怡晨阳俊博文雅琳"
)
_BRAND = "华鑫恒达盛源隆泰宏瑞丰祥嘉和信诚东方远航新锐卓越星辰金川美佳优品创智云海晟邦聚汇"
_TRADE = (
    "电子科技",
    "贸易",
    "服饰",
    "家居用品",
    "进出口",
    "网络科技",
    "日用品",
    "箱包",
    "玩具",
    "化妆品",
    "五金制品",
    "供应链管理",
    "电子商务",
    "照明科技",
    "母婴用品",
)
_COMPANY_TYPES = (
    "有限责任公司(自然人投资或控股)",
    "有限责任公司(自然人独资)",
    "股份有限公司(非上市、自然人投资或控股)",
    "有限责任公司(法人独资)",
)
_SCOPES = (
    "电子产品、通讯设备、计算机软硬件的技术开发与销售",
    "服装、鞋帽、箱包、纺织品的批发与零售",
    "家居用品、日用百货、五金交电的销售",
    "货物进出口、技术进出口",
    "互联网销售(除销售需要许可的商品)",
    "玩具、文具用品、体育用品的销售",
    "化妆品、个人护理用品的零售",
    "供应链管理服务;国内贸易代理",
)
_STREETS = ("建设路", "人民路", "中山路", "解放大道", "科技园南路", "高新大道", "滨海大道")

_ID_FIRST = [
    "AHMAD",
    "BUDI",
    "DEWI",
    "SITI",
    "RINA",
    "AGUS",
    "EKO",
    "SRI",
    "ANDI",
    "PUTRI",
    "RIZKY",
    "NUR",
    "INDAH",
    "YULI",
    "HENDRA",
    "WAHYU",
    "FITRI",
    "DIAN",
    "ARIF",
    "LESTARI",
    "BAMBANG",
    "RATNA",
    "TAUFIK",
    "MAYA",
    "JOKO",
    "WULAN",
    "FAJAR",
    "NOVI",
]
_ID_LAST = [
    "SANTOSO",
    "WIJAYA",
    "SAPUTRA",
    "KURNIAWAN",
    "LESTARI",
    "PRATAMA",
    "HIDAYAT",
    "SETIAWAN",
    "SUSANTO",
    "NUGROHO",
    "HANDAYANI",
    "RAHMAWATI",
    "PURNOMO",
    "SIREGAR",
    "NASUTION",
    "SIMANJUNTAK",
    "WIBOWO",
    "HASIBUAN",
]
_ID_STREETS = ("JL. MERDEKA", "JL. SUDIRMAN", "JL. DIPONEGORO", "JL. MAWAR", "GG. MELATI")
_RELIGIONS = ("ISLAM", "KRISTEN", "KATOLIK", "HINDU", "BUDDHA")
_JOBS = ("WIRASWASTA", "KARYAWAN SWASTA", "PELAJAR/MAHASISWA", "PEDAGANG", "MENGURUS RUMAH TANGGA")


@dataclass(frozen=True)
class Licence:
    """What a 营业执照 carries, and what a reading of it should find."""

    uscc: str
    company_name: str
    company_type: str
    legal_representative: str
    capital: str
    founded: datetime.date
    scope: str
    address: str


@dataclass(frozen=True)
class Ktp:
    """What a KTP carries, and what a reading of it should find."""

    nik: str
    name: str
    province: str
    regency: str
    birthplace: str
    birth_date: datetime.date
    female: bool
    address: str
    rt_rw: str
    village: str
    district: str
    religion: str
    married: bool
    job: str


def _table(path: Path) -> list[tuple[str, str, str]]:
    """(top code, sub code, sub name) rows of one of python-stdnum's location tables."""
    rows, top, top_name = [], "", ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, _, rest = line.strip().partition(" ")
        fields = dict(re.findall(r'(\w+)="([^"]*)"', rest))
        name = fields.get("name_id") or fields.get("province") or fields.get("county", "")
        if not line.startswith(" "):
            top, top_name = code, name
        elif not name.startswith("["):  # "[-2010]…": a region that no longer exists
            rows.append((top + code, top_name, name))
    return rows


@cache
def _regions(country: str) -> list[tuple[str, str, str]]:
    return _table(Path(stdnum.__file__).parent / country / "loc.dat")


def _uscc(rng: random.Random, region: str) -> str:
    """9 (industry and commerce) 1 (company), a region, an organisation code, the check."""
    body = "91" + region + "".join(rng.choice(_USCC_ALPHABET) for _ in range(9))
    return body + stdnum_uscc.calc_check_digit(body)


def licence(rng: random.Random) -> Licence:
    """A made-up company with a valid USCC registered in a real county."""
    code, province, county = rng.choice(
        [row for row in _regions("cn") if row[2].endswith(("区", "市", "县"))]
    )
    city = county if county.endswith("市") else province
    brand = "".join(rng.sample(_BRAND, 2))
    name = f"{city}{brand}{rng.choice(_TRADE)}有限公司"
    person = rng.choice(_SURNAMES) + "".join(rng.sample(_GIVEN, rng.choice((1, 2))))
    founded = datetime.date(2008, 1, 1) + datetime.timedelta(days=rng.randrange(6000))
    scope = "；".join(rng.sample(_SCOPES, rng.randint(2, 4))) + "。"
    street = f"{county}{rng.choice(_STREETS)}{rng.randint(1, 999)}号{rng.randint(1, 30)}楼"
    return Licence(
        uscc=_uscc(rng, code[:6].ljust(6, "0")),
        company_name=name,
        company_type=rng.choice(_COMPANY_TYPES),
        legal_representative=person,
        capital=f"人民币{rng.choice((10, 50, 100, 200, 500, 1000))}万元",
        founded=founded,
        scope=scope,
        address=f"{province if province != city else ''}{street}",
    )


def ktp(rng: random.Random) -> Ktp:
    """A made-up Indonesian with a NIK of a real regency, their birth date and sex."""
    code, province, regency = rng.choice(_regions("id"))
    female = rng.random() < 0.5
    born = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(20000))
    day = born.day + (40 if female else 0)
    district = f"{rng.randint(1, 30):02d}"
    nik = (
        f"{code}{district}{day:02d}{born.month:02d}{born.year % 100:02d}{rng.randint(1, 9999):04d}"
    )
    names = [rng.choice(_ID_FIRST), *rng.sample(_ID_LAST, rng.choice((1, 1, 2)))]
    return Ktp(
        nik=nik,
        name=" ".join(names),
        province=province.upper(),
        regency=("KOTA " if int(code[2:4]) >= 71 else "KABUPATEN ") + regency,
        birthplace=regency,
        birth_date=born,
        female=female,
        address=f"{rng.choice(_ID_STREETS)} NO. {rng.randint(1, 200)}",
        rt_rw=f"{rng.randint(1, 20):03d}/{rng.randint(1, 15):03d}",
        village=rng.choice(_ID_LAST),
        district=rng.choice(_ID_LAST),
        religion=rng.choice(_RELIGIONS),
        married=rng.random() < 0.6,
        job=rng.choice(_JOBS),
    )
