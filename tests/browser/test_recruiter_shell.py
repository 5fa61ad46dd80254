"""The recruiter's shell in a real browser: sign in, figures, organisation switcher, sign out, phone nav."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def figure(page, key):
    return page.locator(f"[data-figure={key}] .tc-figure-value")


def test_recruiter_signs_in_sees_figures_switches_organisation_and_signs_out(
    live_server, page, demo, sign_in, artifact
):
    assert "Recruiter login" in demo

    sign_in()
    page.wait_for_url(live_server.url + "/o/demo/")
    expect(page.locator("h1")).to_have_text("Acme Talent Community")
    expect(figure(page, "candidates")).to_have_text("5")
    expect(figure(page, "circles")).to_have_text("2")
    expect(figure(page, "members")).to_have_text("2")
    page.screenshot(path=str(artifact("home-desktop-1280x800.png")), full_page=True)

    page.click("#org-switcher")
    switcher_menu = page.locator("[aria-labelledby=org-switcher]")
    expect(switcher_menu).to_be_visible()
    switcher_menu.get_by_role("link", name=re.compile(r"Northwind Recruiting")).click()
    page.wait_for_url(live_server.url + "/o/northwind/")
    expect(page.locator("h1")).to_have_text("Northwind Recruiting")
    expect(page.locator("#org-switcher")).to_contain_text("Northwind Recruiting")

    page.click("#account-menu")
    account_menu = page.locator("[aria-labelledby=account-menu]")
    expect(account_menu).to_be_visible()
    account_menu.get_by_role("button", name="Sign out").click()
    page.wait_for_url(lambda url: "/o/northwind/" not in url)
    expect(page.locator("#account-menu")).to_have_count(0)

    page.goto(live_server.url + "/o/demo/")
    assert page.url.startswith(live_server.url + "/accounts/login/"), page.url
    expect(page.locator("input[name=password]")).to_be_visible()


def test_phone_viewport_collapses_the_nav_behind_the_toggler(live_server, page, demo, sign_in, artifact):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in()
    page.wait_for_url(live_server.url + "/o/demo/")

    toggler = page.locator(".navbar-toggler")
    nav_link = page.locator("#tc-nav").get_by_role("link", name="My day")
    expect(toggler).to_be_visible()
    expect(nav_link).to_be_hidden()
    page.screenshot(path=str(artifact("home-phone-390x844.png")), full_page=True)

    toggler.click()
    # Bootstrap adds `show` once the collapse transition has ended (during it, the menu is `.collapsing`).
    expect(page.locator("#tc-nav")).to_have_class(re.compile(r"\bshow\b"))
    expect(nav_link).to_be_visible()
    expect(nav_link).to_be_in_viewport()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    page.screenshot(path=str(artifact("home-phone-390x844-nav-open.png")), full_page=True)
