"""Languages, currencies with rates, the company currency, and ISO 3166-2 states."""
import datetime as dt

import pytest

from server.exceptions import UserError, ValidationError


def test_english_is_active_and_others_install_with_the_wizard(env):
    english = env.ref("base.lang_en")
    assert (english.code, english.active, english.date_format) == ("en_US", True, "%m/%d/%Y")
    assert env["res.lang"].get_installed() == [("en_US", "English (US)")]
    french = env["res.lang"].with_context(active_test=False).search([("code", "=", "fr_FR")])
    assert not french.active and french.decimal_point == "," and french.date_format == "%d/%m/%Y"
    assert env.ref("base.lang_ar_001").direction == "rtl"
    wizard = env["base.language.install"].create({"lang_ids": [(6, 0, french.ids)]})
    assert wizard.lang_install()["tag"] == "reload"
    assert french.active and ("fr_FR", french.name) in env["res.lang"].get_installed()
    with pytest.raises(UserError, match="No language with code 'xx_XX'"):
        env["res.lang"]._activate_lang("xx_XX")
    with pytest.raises(ValidationError, match="separator format"):
        english.write({"grouping": "three"})


def test_currencies_are_iso_4217_with_dated_rates(env):
    currencies = env["res.currency"].with_context(active_test=False)
    usd, jpy, eur = (env.ref(f"base.{code}") for code in ("USD", "JPY", "EUR"))
    assert (usd.symbol, usd.full_name, usd.decimal_places, usd.iso_numeric) == ("$", "US Dollar", 2, 840)
    assert jpy.decimal_places == 0 and jpy.rounding == 1.0
    assert currencies.search_count([]) > 150 and currencies.search_count([("name", "=", "CHF")]) == 1
    company = env.ref("base.main_company")
    assert company.currency_id == eur and eur.active
    env["res.currency.rate"].create([{"currency_id": usd.id, "name": dt.date(2024, 1, 1), "rate": 1.1},
                                     {"currency_id": usd.id, "name": dt.date(2024, 6, 1), "rate": 1.25}])
    assert eur._convert(100, usd, company, dt.date(2024, 7, 1)) == 125.0
    assert usd._convert(125, eur, company, dt.date(2024, 7, 1)) == 100.0
    assert usd.round(1.005) == 1.01 and usd.is_zero(0.004) and usd.compare_amounts(1.0, 1.001) == 0
    with pytest.raises(ValidationError, match="greater than 0"):
        env["res.currency.rate"].create({"currency_id": usd.id, "rate": 0})


def test_a_currency_rate_depends_on_the_date_company_and_target_of_the_context(env):
    usd, eur, chf = (env.ref(f"base.{code}") for code in ("USD", "EUR", "CHF"))
    other = env["res.company"].create({"name": "Other rates"})
    env["res.currency.rate"].create([{"currency_id": usd.id, "name": dt.date(2024, 1, 1), "rate": 1.1},
                                     {"currency_id": usd.id, "name": dt.date(2024, 6, 1), "rate": 1.25},
                                     {"currency_id": usd.id, "name": dt.date(2024, 2, 1), "rate": 1.5,
                                      "company_id": other.id},
                                     {"currency_id": chf.id, "name": dt.date(2024, 1, 1), "rate": 0.5}])
    march, july = usd.with_context(date=dt.date(2024, 3, 1)), usd.with_context(date="2024-07-01")
    assert (march.rate, july.rate, usd.with_context(date=dt.date(2023, 1, 1)).rate) == (1.1, 1.25, 1.0)
    assert march.rate == 1.1  # each date keeps its own value in the same transaction
    assert (july.inverse_rate, july.rate_string) == (0.8, "1 EUR = 1.250000 USD")
    assert usd.with_context(date=dt.date(2024, 7, 1), company_id=other.id).rate == 1.5  # its own rate first
    assert usd.with_company(other).with_context(date=dt.date(2024, 7, 1)).rate == 1.5
    assert usd.with_context(date=dt.date(2024, 7, 1), to_currency=chf.id).rate == 2.5
    assert eur.with_context(date=dt.date(2024, 7, 1)).rate_string == ""
    env["res.currency.rate"].create({"currency_id": usd.id, "name": dt.date(2024, 7, 1), "rate": 2.0})
    assert usd.with_context(date=dt.date(2024, 7, 1)).rate == 2.0  # a new rate is seen at once
    assert usd.date == dt.date(2024, 7, 1)
    assert eur._convert(10, usd, env.ref("base.main_company"), dt.date(2024, 3, 1)) == 11.0
    assert eur._convert(10, usd, other, dt.date(2024, 3, 1)) == 15.0
    assert usd._get_conversion_rate(usd, usd) == 1 and eur._convert(0, usd) == 0.0


def test_states_come_from_iso_3166_2(env):
    california = env.ref("base.state_us_ca")
    assert (california.code, california.country_id.code, california.name) == ("CA", "US", "California")
    assert env["res.country.state"].search_count([("country_id.code", "=", "US")]) >= 50
    assert california in env.ref("base.us").state_ids
    assert env["res.country.state"].name_search("CA", [("country_id.code", "=", "US")])[0][0] == california.id
