"""Every action issue #21 lists leaves an entry: who, what, about whom, the values, when, from where."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.test import Client, RequestFactory
from django.urls import reverse

from candidates import merge, privacy, services
from candidates.importing.batch import upsert_batch
from candidates.importing.records import Record
from candidates.models import Candidate, ConsentRecord
from talentcircles import services as core_services
from talentcircles.audit.maintenance import REDACTED
from talentcircles.audit.models import AuditEntry
from talentcircles.models import ApiToken, Membership
from tests.factories import CandidateFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
Action = AuditEntry.Action


def _add(org, first="Ada", last="Lovelace", skills=(), **data):
    data = {"first_name": first, "last_name": last, **data}
    return services.candidate_create(org=org, actor=None, data=data, skills=skills)


def _entries(org, action, **filters):
    return list(AuditEntry.objects.for_org(org).filter(action=action, **filters).order_by("id"))


def _only(org, action, **filters) -> AuditEntry:
    entries = _entries(org, action, **filters)
    assert len(entries) == 1, entries
    return entries[0]


def _token_client(tenant, name="ci") -> tuple[Client, ApiToken]:
    issued = core_services.api_token_create(membership=tenant.membership, name=name)
    return Client(HTTP_AUTHORIZATION=f"Token {issued.key}", HTTP_USER_AGENT="curl/8.5"), issued.token


def test_viewing_a_profile_records_who_whom_when_and_from_where(acme):
    ada = _add(acme.org)
    response = acme.client.get(reverse("candidate_detail", args=[acme.org.slug, ada.pk]), HTTP_USER_AGENT="Firefox")
    assert response.status_code == 200
    entry = _only(acme.org, Action.PROFILE_VIEWED)
    assert (entry.actor, entry.actor_kind, entry.target_type, entry.target_id) == (
        acme.user,
        "member",
        "candidate",
        ada.pk,
    )
    assert (entry.ip_address, entry.user_agent, entry.target_label) == ("127.0.0.1", "Firefox", f"Candidate #{ada.pk}")
    assert "Ada" not in entry.target_label and entry.created_at is not None


def test_reading_a_candidate_through_the_api_records_the_token(acme):
    ada = _add(acme.org)
    client, token = _token_client(acme)
    assert client.get(f"/api/v1/candidates/{ada.pk}/").status_code == 200
    entry = _only(acme.org, Action.PROFILE_VIEWED)
    assert (entry.actor, entry.actor_kind, entry.api_token_id) == (acme.user, "api_token", token.pk)
    assert entry.user_agent == "curl/8.5"
    assert client.get("/api/v1/candidates/").status_code == 200  # a list is not a profile view
    assert len(_entries(acme.org, Action.PROFILE_VIEWED)) == 1


def test_a_field_change_through_the_api_keeps_old_and_new_values(acme):
    ada = _add(acme.org, city="London", skills=["Python"])
    client, token = _token_client(acme)
    body = {"city": "Paris", "current_title": "Analyst", "skills": ["Maths"]}
    assert client.patch(f"/api/v1/candidates/{ada.pk}/", body, content_type="application/json").status_code == 200
    entry = _only(acme.org, Action.FIELD_CHANGED, target_id=ada.pk)
    assert entry.changes == {
        "city": ["London", "Paris"],
        "current_title": ["", "Analyst"],
        "skills": [["Python"], ["Maths"]],
    }
    assert (entry.actor_kind, entry.api_token_id, entry.ip_address) == ("api_token", token.pk, "127.0.0.1")


def test_an_edit_that_changes_nothing_records_nothing(acme):
    ada = _add(acme.org, city="London")
    services.candidate_update(candidate=ada, actor=acme.user, data={"city": "London"})
    assert _entries(acme.org, Action.FIELD_CHANGED) == []


def test_owner_and_stage_changes_record_ids_and_stages(acme):
    ada, grace = _add(acme.org), _add(acme.org, "Grace", "Hopper")
    services.candidate_update(candidate=ada, actor=acme.user, data={"owner": acme.user})
    assert _only(acme.org, Action.FIELD_CHANGED, target_id=ada.pk).changes == {"owner": [None, acme.user.pk]}
    services.candidates_set_stage(org=acme.org, candidates=Candidate.objects.all(), stage="contacted", actor=acme.user)
    staged = _entries(acme.org, Action.FIELD_CHANGED, changes__has_key="stage")
    assert {(e.target_id, tuple(e.changes["stage"])) for e in staged} == {
        (ada.pk, ("new", "contacted")),
        (grace.pk, ("new", "contacted")),
    }
    services.candidates_assign_owner(org=acme.org, candidates=Candidate.objects.all(), owner=None)
    owners = _entries(acme.org, Action.FIELD_CHANGED, changes__has_key="owner")
    assert [(e.target_id, e.changes["owner"]) for e in owners][-1] == (ada.pk, [acme.user.pk, None])
    assert len(owners) == 2  # Grace had no owner: nothing changed for her


def test_imports_record_the_fields_they_fill_on_both_paths(acme):
    ada = _add(acme.org, email="ada@example.com")
    services.candidate_upsert(org=acme.org, actor=acme.user, data={"email": "ada@example.com", "city": "Leeds"})
    assert _only(acme.org, Action.FIELD_CHANGED, target_id=ada.pk).changes == {"city": ["", "Leeds"]}
    grace = _add(acme.org, "Grace", "Hopper", email="grace@example.com")
    record = Record(row=2, raw={}, data={"first_name": "Grace", "email": "grace@example.com", "headline": "Admiral"})
    upsert_batch(org=acme.org, actor=acme.user, records=[record])
    entry = _only(acme.org, Action.FIELD_CHANGED, target_id=grace.pk)
    assert entry.changes == {"headline": ["", "Admiral"]} and entry.actor == acme.user


def test_the_admin_records_candidate_edits_and_role_changes(acme):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    request = RequestFactory().post("/admin/", REMOTE_ADDR="10.1.2.3")
    request.user = superuser
    colleague = MembershipFactory(organization=acme.org, role=Membership.Role.RECRUITER)
    model_admin = site._registry[Membership]
    form = model_admin.get_form(request, colleague, change=True)(
        {"user": colleague.user_id, "organization": acme.org.pk, "role": "admin",
         "created_at_0": "2026-01-01", "created_at_1": "10:00:00"},
        instance=colleague,
    )  # fmt: skip
    assert form.is_valid(), form.errors
    model_admin.save_model(request, form.save(commit=False), form, change=True)
    entry = _only(acme.org, Action.ROLE_CHANGED)
    assert (entry.changes, entry.actor, entry.ip_address) == ({"role": ["recruiter", "admin"]}, superuser, "10.1.2.3")
    assert entry.target_label == colleague.user.email

    ada = _add(acme.org, city="London")
    candidate_admin = site._registry[Candidate]
    data = {"organization": acme.org.pk, "first_name": "Ada", "last_name": "Lovelace", "city": "York",
            "stage": ada.stage, "source": ada.source, "digest_frequency": ada.digest_frequency,
            "soft_bounces": 0, "stage_changed_at_0": "2026-01-01", "stage_changed_at_1": "10:00:00"}  # fmt: skip
    form = candidate_admin.get_form(request, ada, change=True)(data, instance=ada)
    assert form.is_valid(), form.errors
    candidate_admin.save_model(request, form.save(commit=False), form, change=True)
    candidate_admin.save_related(request, form, [], change=True)
    assert _only(acme.org, Action.FIELD_CHANGED, target_id=ada.pk).changes["city"] == ["London", "York"]


def test_settings_changes_record_old_and_new_values(acme):
    response = acme.client.get(reverse("org_settings", args=[acme.org.slug]))
    form = response.context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    data |= {"daily_send_cap": 150, "response_guard_enabled": ""}
    data = {k: v for k, v in data.items() if v != ""}
    response = acme.client.post(reverse("org_settings", args=[acme.org.slug]), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    entry = _only(acme.org, Action.SETTING_CHANGED)
    assert entry.changes == {"daily_send_cap": [200, 150], "response_guard_enabled": [True, False]}
    assert (entry.actor, entry.target_type, entry.target_label) == (acme.user, "organization", acme.org.slug)


def test_tokens_created_and_revoked_are_recorded(acme):
    url = reverse("api_tokens", args=[acme.org.slug])
    assert acme.client.post(url, {"name": "Zapier"}).status_code == 302
    token = ApiToken.objects.get(name="Zapier")
    assert acme.client.post(reverse("api_token_revoke", args=[acme.org.slug, token.pk])).status_code == 302
    created, revoked = _only(acme.org, Action.TOKEN_CREATED), _only(acme.org, Action.TOKEN_REVOKED)
    assert created.target_id == revoked.target_id == token.pk
    assert created.actor == revoked.actor == acme.user and created.target_label.startswith("Zapier (tc_")
    assert key_not_in(created, token)


def key_not_in(entry: AuditEntry, token: ApiToken) -> bool:
    return token.key_digest not in str(entry.details) + entry.target_label


def test_members_added_and_removed_are_recorded(acme):
    invitation = core_services.invitation_create(
        org=acme.org, email="new@example.com", role="recruiter", invited_by=acme.user
    )
    newcomer = UserFactory(email="new@example.com")
    membership = core_services.invitation_accept(token=core_services.invitation_token(invitation), user=newcomer)
    added = _only(acme.org, Action.MEMBER_ADDED)
    assert (added.actor, added.target_id, added.details["role"]) == (newcomer, membership.pk, "recruiter")
    assert acme.client.post(reverse("member_remove", args=[acme.org.slug, membership.pk])).status_code == 302
    removed = _only(acme.org, Action.MEMBER_REMOVED)
    assert (removed.actor, removed.target_id, removed.target_label) == (acme.user, membership.pk, "new@example.com")


def test_exports_are_recorded_with_what_was_exported(acme):
    ada = _add(acme.org)
    list_csv = acme.client.get(reverse("candidate_export_csv", args=[acme.org.slug]) + "?stage=new")
    assert b"".join(list_csv.streaming_content)
    assert acme.client.get(reverse("candidate_json_resume", args=[acme.org.slug, ada.pk])).status_code == 200
    bulk = acme.client.post(
        reverse("candidate_bulk", args=[acme.org.slug]), {"action": "export", "selected": [ada.pk], "query": ""}
    )
    assert bulk.status_code == 200
    exports = _entries(acme.org, Action.DATA_EXPORTED)
    assert [(e.target_type, e.details) for e in exports] == [
        ("candidate_list", {"format": "csv", "query": "stage=new"}),
        ("candidate", {"format": "json_resume"}),
        ("candidate_list", {"format": "csv", "ids": [ada.pk]}),
    ]
    assert {e.actor for e in exports} == {acme.user}


def test_a_candidate_downloading_their_data_is_recorded_as_the_candidate(acme):
    user = UserFactory(email="ada@example.org")
    ada = CandidateFactory(organization=acme.org, user=user, email=user.email)
    client = Client()
    client.force_login(user)
    assert client.get(reverse("portal_my_data_download", args=[acme.org.slug])).status_code == 200
    entry = _only(acme.org, Action.DATA_EXPORTED)
    assert (entry.actor, entry.actor_kind, entry.target_id, entry.details) == (
        user,
        "candidate",
        ada.pk,
        {"format": "my_data"},
    )


def test_a_merge_is_recorded_and_the_merged_records_values_are_redacted(acme):
    keep = _add(acme.org, "Jane", "Doe", email="jane@old.example")
    other = _add(acme.org, "Janet", "Doe", email="jane@new.example", city="Oslo")
    services.candidate_update(candidate=other, actor=acme.user, data={"city": "Bergen"})
    merge.candidate_merge(org=acme.org, keep=keep, other=other, choices={"email": "other"}, actor=acme.user)
    merged = _only(acme.org, Action.MERGED)
    assert (merged.target_id, merged.details) == (
        keep.pk,
        {"merged_candidate_id": other.pk, "chosen_fields": {"email": "other"}},
    )
    assert _only(acme.org, Action.FIELD_CHANGED, target_id=keep.pk).changes["email"] == [
        "jane@old.example",
        "jane@new.example",
    ]
    assert _only(acme.org, Action.FIELD_CHANGED, target_id=other.pk).changes == {"city": [REDACTED, REDACTED]}


def test_erasure_keeps_the_facts_and_drops_the_values_and_the_persons_address(acme):
    user = UserFactory(email="ada@example.org")
    ada = CandidateFactory(organization=acme.org, user=user, email=user.email, city="London")
    portal = Client(REMOTE_ADDR="192.0.2.7")
    portal.force_login(user)
    portal.post(reverse("portal_profile", args=[acme.org.slug]), {"first_name": "Ada", "city": "Paris"})
    services.candidate_update(candidate=ada, actor=acme.user, data={"phone": "+14155550100"})
    acme.client.get(reverse("candidate_detail", args=[acme.org.slug, ada.pk]))
    by_self = _only(acme.org, Action.FIELD_CHANGED, actor_kind="candidate")
    assert by_self.changes["city"] == ["London", "Paris"] and by_self.ip_address == "192.0.2.7"
    bystander = _add(acme.org, "Grace", "Hopper", city="Arlington")
    services.candidate_update(candidate=bystander, actor=acme.user, data={"city": "Boston"})

    privacy.candidate_erase(candidate=ada, source=ConsentRecord.Source.RECRUITER, actor=acme.user)

    changes = [e.changes for e in _entries(acme.org, Action.FIELD_CHANGED, target_id=ada.pk)]
    assert "city" in changes[0] and changes[1] == {"phone": [REDACTED, REDACTED]}
    assert {value for change in changes for values in change.values() for value in values} == {REDACTED}
    assert "ada@" not in str(list(AuditEntry.objects.about_candidate(ada.pk).values()))
    by_self = AuditEntry.objects.get(pk=by_self.pk)
    assert (by_self.ip_address, by_self.user_agent) == (None, "")
    assert len(_entries(acme.org, Action.PROFILE_VIEWED, target_id=ada.pk)) == 1  # the view is still a fact
    erased = _only(acme.org, Action.ERASED)
    assert (erased.target_id, erased.actor, erased.details) == (ada.pk, acme.user, {"source": "recruiter"})
    assert _only(acme.org, Action.FIELD_CHANGED, target_id=bystander.pk).changes == {"city": ["Arlington", "Boston"]}


def test_a_person_erasing_themselves_is_recorded_as_the_candidate(acme):
    user = UserFactory(email="ada@example.org")
    ada = CandidateFactory(organization=acme.org, user=user, email=user.email)
    privacy.candidate_erase(candidate=ada, source=ConsentRecord.Source.PORTAL, actor=user)
    entry = _only(acme.org, Action.ERASED)
    assert (entry.actor_id, entry.actor_kind) == (user.pk, "candidate")


def test_deleting_a_candidate_is_recorded_and_redacts_their_entries(acme):
    ada = _add(acme.org, city="London")
    services.candidate_update(candidate=ada, actor=acme.user, data={"city": "Leeds"})
    ada_id = ada.pk
    services.candidate_delete(candidate=ada, actor=acme.user)
    assert _only(acme.org, Action.DELETED).target_id == ada_id
    assert _only(acme.org, Action.FIELD_CHANGED).changes == {"city": [REDACTED, REDACTED]}


def test_outside_a_request_the_actor_is_the_system(acme):
    ada = _add(acme.org)
    services.candidate_update(candidate=ada, actor=None, data={"city": "Leeds"})
    entry = _only(acme.org, Action.FIELD_CHANGED)
    assert (entry.actor, entry.actor_kind, entry.ip_address, entry.user_agent) == (None, "system", None, "")


def _form_data(form) -> dict:
    data = {}
    for field in form:
        value = field.value()
        if value is None or value is False:
            continue
        widget = field.field.widget
        if hasattr(widget, "widgets"):  # a split date and time
            for index, part in enumerate(widget.decompress(value)):
                data[f"{field.html_name}_{index}"] = part
        else:
            data[field.html_name] = value
    return data


def test_role_changes_in_the_organisations_members_inline_are_recorded(acme, client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    colleague = MembershipFactory(organization=acme.org, role=Membership.Role.RECRUITER)
    url = reverse("admin:talentcircles_organization_change", args=[acme.org.pk])
    page = client.get(url)
    data = _form_data(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data |= _form_data(formset.management_form)
        for form in formset.forms:
            data |= _form_data(form)
            if form.instance.pk == colleague.pk:
                data[f"{form.prefix}-role"] = "admin"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    entry = _only(acme.org, Action.ROLE_CHANGED)
    assert (entry.target_id, entry.changes, entry.actor) == (colleague.pk, {"role": ["recruiter", "admin"]}, superuser)
