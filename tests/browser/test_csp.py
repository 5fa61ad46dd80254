"""Pages no other browser test opens, under the Content-Security-Policy in a real browser: the Django
admin (its scripts are static files with data attributes), the 2FA set-up (a data: QR code) and the
API docs (Swagger UI started from a script URL). The `page` fixture fails the test on any CSP
violation, as it does for every browser test."""

from __future__ import annotations

from playwright.sync_api import expect

from candidates.models import Candidate
from talentcircles.models import User


def test_the_admin_the_2fa_set_up_and_the_api_docs_work_under_the_policy(live_server, page, demo, sign_in):
    User.objects.filter(email="recruiter@demo.talentcircles.test").update(is_staff=True, is_superuser=True)
    candidate = Candidate.objects.filter(organization__slug="demo").order_by("pk").first()
    sign_in()
    page.wait_for_url(live_server.url + "/o/demo/")

    # The admin's changelist: select all (actions.js) and the action bar counts them.
    page.goto(live_server.url + "/admin/candidates/candidate/")
    page.click("#action-toggle")
    expect(page.locator(".action-counter")).to_contain_text("selected")
    page.goto(f"{live_server.url}/admin/candidates/candidate/{candidate.pk}/change/")
    expect(page.locator("#candidate_form")).to_be_visible()

    # TOTP set-up: the QR code is a data: image.
    page.goto(live_server.url + "/accounts/2fa/totp/activate/")
    if page.locator("input[name=password]").count():  # allauth asks to confirm the password first
        page.fill("input[name=password]", "talentcircles-demo")
        page.get_by_role("button", name="Confirm").click()
    qr = page.locator("img[src^='data:']").first
    expect(qr).to_be_visible()
    assert page.evaluate("(img) => img.naturalWidth", qr.element_handle()) > 0

    # Swagger UI draws the operations from the schema.
    page.goto(live_server.url + "/api/docs/")
    # The first request for the schema builds it (seconds on a busy machine); later ones are cached.
    expect(page.locator(".swagger-ui .info .title")).to_be_visible(timeout=30_000)
    expect(page.locator(".opblock").first).to_be_visible()
