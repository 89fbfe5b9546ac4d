"""Currencies: ISO 4217 codes and the number of minor units each uses (DESIGN §6)."""

from __future__ import annotations

MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(
        "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN BZD CAD "
        "CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD "
        "HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD "
        "MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON "
        "RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD "
        "TZS UAH USD UYU UZS VES WST XCD YER ZAR ZMW ZWL".split(),
        2,
    ),
    **dict.fromkeys("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split(), 0),
    **dict.fromkeys("BHD IQD JOD KWD LYD OMR TND".split(), 3),
    "CLF": 4,
    "UYW": 4,
}


def minor_units(currency: str) -> int:
    return MINOR_UNITS[currency]


def is_currency(code: str) -> bool:
    return code in MINOR_UNITS


def parse_amount(text: str, digits: int) -> int:
    """Minor units from a plain decimal in major units ("19.99", "19,99", "1990").

    Thousands separators are not accepted (they are ambiguous across locales); a value with
    more decimals than the currency has is refused rather than rounded.
    """
    value = text.strip()
    if not value:
        raise ValueError("empty amount")
    negative = value.startswith("-")
    if negative:
        raise ValueError("amounts can't be negative")
    value = value.replace(",", ".")
    whole, _, fraction = value.partition(".")
    if not whole.isdigit() or (fraction and not fraction.isdigit()) or value.count(".") > 1:
        raise ValueError(f"{text!r} is not a plain number")
    if len(fraction) > digits:
        raise ValueError(f"{text!r} has more than {digits} decimals")
    scale: int = 10**digits
    return int(whole) * scale + (int(fraction.ljust(digits, "0")) if digits else 0)


def format_amount(amount: int, digits: int) -> str:
    """Major units with a dot and exactly `digits` decimals (for exports)."""
    sign = "-" if amount < 0 else ""
    whole, fraction = divmod(abs(amount), 10**digits) if digits else (abs(amount), 0)
    return f"{sign}{whole}.{fraction:0{digits}d}" if digits else f"{sign}{whole}"
