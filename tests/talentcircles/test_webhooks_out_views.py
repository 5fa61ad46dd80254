"""The admins' webhook pages: creating with clear errors, the log and its buttons, admins only, tenancy."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from talentcircles.models import Membership
from talentcircles.webhooks_out.models import WebhookDelivery, WebhookEndpoint
from talentcircles.webhooks_out.services import endpoint_create, webhook_test_send
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture(autouse=True)
def _local_http_allowed(settings):
    settings.WEBHOOKS_ALLOW_HTTP_LOCALHOST = True


def make_endpoint(tenant, url="https://hooks.example.com/in"):
    return endpoint_create(org=tenant.org, actor=tenant.user, url=url, events=["candidate.created"])


def test_an_admin_adds_an_endpoint(acme):
    response = acme.client.post(
        reverse("webhooks", args=["acme"]),
        {"url": "https://hooks.example.com/in", "events": ["candidate.created", "message.replied"]},
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("webhook_detail", args=["acme", endpoint.pk])
    assert endpoint.events == ["candidate.created", "message.replied"]
    assert endpoint.secret.startswith("whsec_") and endpoint.organization == acme.org
    page = acme.client.get(response["Location"])
    assert endpoint.secret in page.content.decode()  # shown to the admin (behind "Show the secret")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.com/in", "Use an https:// URL"),
        ("not a url", "Enter a full URL"),
        ("https://user:pw@hooks.example.com/in", "Leave user names and passwords out"),
        ("https://10.1.2.3/in", "Use a public address"),
        ("https://169.254.169.254/latest", "Use a public address"),
        ("https://[fd00::1]/in", "Use a public address"),
    ],
)
def test_a_bad_url_is_refused_with_a_clear_error(acme, url, message):
    response = acme.client.post(reverse("webhooks", args=["acme"]), {"url": url, "events": ["candidate.created"]})
    assert response.status_code == 400 and message in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_no_event_chosen_is_refused(acme):
    response = acme.client.post(reverse("webhooks", args=["acme"]), {"url": "https://hooks.example.com/in"})
    assert response.status_code == 400 and "Choose at least one event." in response.content.decode()


def test_plain_http_to_localhost_needs_the_setting(acme, settings):
    data = {"url": "http://127.0.0.1:9000/hooks", "events": ["candidate.created"]}
    settings.WEBHOOKS_ALLOW_HTTP_LOCALHOST = False
    assert acme.client.post(reverse("webhooks", args=["acme"]), data).status_code == 400
    settings.WEBHOOKS_ALLOW_HTTP_LOCALHOST = True
    assert acme.client.post(reverse("webhooks", args=["acme"]), data).status_code == 302


def test_an_admin_edits_rotates_tests_and_redelivers(acme):
    endpoint = make_endpoint(acme)
    secret = endpoint.secret
    detail = reverse("webhook_detail", args=["acme", endpoint.pk])
    response = acme.client.post(detail, {"url": "https://hooks.example.com/v2", "events": ["candidate.erased"]})
    assert response.status_code == 302
    acme.client.post(reverse("webhook_action", args=["acme", endpoint.pk, "rotate"]))
    acme.client.post(reverse("webhook_action", args=["acme", endpoint.pk, "test"]))
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.events) == ("https://hooks.example.com/v2", ["candidate.erased"])
    assert endpoint.secret != secret
    ping = WebhookDelivery.objects.get(event_type="ping")
    WebhookDelivery.objects.filter(pk=ping.pk).update(status=WebhookDelivery.Status.FAILED)
    acme.client.post(reverse("webhook_redeliver", args=["acme", endpoint.pk, ping.pk]))
    ping.refresh_from_db()
    assert ping.status == WebhookDelivery.Status.PENDING


def test_pause_resume_and_delete(acme):
    endpoint = make_endpoint(acme)
    acme.client.post(reverse("webhook_action", args=["acme", endpoint.pk, "pause"]))
    endpoint.refresh_from_db()
    assert endpoint.is_paused
    page = acme.client.get(reverse("webhook_detail", args=["acme", endpoint.pk]))
    assert "Paused" in page.content.decode()
    acme.client.post(reverse("webhook_action", args=["acme", endpoint.pk, "resume"]))
    endpoint.refresh_from_db()
    assert not endpoint.is_paused
    acme.client.post(reverse("webhook_action", args=["acme", endpoint.pk, "delete"]))
    assert not WebhookEndpoint.objects.exists()


def test_the_list_page_costs_the_same_with_more_endpoints(acme, django_assert_num_queries):
    make_endpoint(acme)
    url = reverse("webhooks", args=["acme"])
    with django_assert_num_queries(5):
        acme.client.get(url)
    for n in range(4):
        make_endpoint(acme, url=f"https://hooks.example.com/{n}")
    with django_assert_num_queries(5):
        assert acme.client.get(url).content.decode().count("hooks.example.com/") == 5


def test_the_delivery_log_costs_the_same_with_more_deliveries(acme, django_assert_num_queries):
    endpoint = make_endpoint(acme)
    webhook_test_send(endpoint=endpoint)
    url = reverse("webhook_detail", args=["acme", endpoint.pk])
    with django_assert_num_queries(7):
        acme.client.get(url)
    for _ in range(30):
        webhook_test_send(endpoint=endpoint)
    with django_assert_num_queries(7):
        page = acme.client.get(url).content.decode()
    assert page.count("Redeliver</button>") == 25 and "Older" in page


def test_a_recruiter_who_is_not_an_admin_is_refused(acme):
    endpoint = make_endpoint(acme)
    recruiter = UserFactory()
    MembershipFactory(user=recruiter, organization=acme.org, role=Membership.Role.RECRUITER)
    client = Client()
    client.force_login(recruiter)
    # A member of the organisation is told their role does not allow it (docs/roles.md).
    assert client.get(reverse("webhooks", args=["acme"])).status_code == 403
    assert client.get(reverse("webhook_detail", args=["acme", endpoint.pk])).status_code == 403
    assert client.post(reverse("webhook_action", args=["acme", endpoint.pk, "rotate"])).status_code == 403
    secret = endpoint.secret
    endpoint.refresh_from_db()
    assert endpoint.secret == secret  # not rotated


def test_another_organisations_admin_gets_404(acme, globex):
    endpoint = make_endpoint(acme)
    delivery = webhook_test_send(endpoint=endpoint)
    secret = endpoint.secret
    assert globex.client.get(reverse("webhook_detail", args=["globex", endpoint.pk])).status_code == 404
    assert globex.client.get(reverse("webhook_detail", args=["acme", endpoint.pk])).status_code == 404
    for action in ("rotate", "test", "pause", "resume", "delete"):
        assert globex.client.post(reverse("webhook_action", args=["globex", endpoint.pk, action])).status_code == 404
    redeliver = reverse("webhook_redeliver", args=["globex", endpoint.pk, delivery.pk])
    assert globex.client.post(redeliver).status_code == 404
    endpoint.refresh_from_db()
    assert endpoint.secret == secret and WebhookDelivery.objects.count() == 1
    assert "hooks.example.com" not in globex.client.get(reverse("webhooks", args=["globex"])).content.decode()


def test_an_unknown_action_is_404(acme):
    endpoint = make_endpoint(acme)
    assert acme.client.post(reverse("webhook_action", args=["acme", endpoint.pk, "explode"])).status_code == 404
