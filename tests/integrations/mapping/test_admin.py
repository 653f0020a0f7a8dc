"""The admin screens: who may change what, the messages managers see, the preview and the re-sync."""

import json

import pytest
from django.urls import reverse

from integrations.models.bulk import BulkRun
from integrations.models.mapping import ConfigChange, FieldMapping, MatchRule, SyncSettings
from integrations.services.bulk_runs import bulk_run_execute
from syncportal.outbox.models import OutboxEntry
from tests.factories.customers import CustomerFactory
from tests.factories.sales import make_charge

pytestmark = pytest.mark.django_db
MODELS = ["fieldmapping", "matchrule", "syncsettings"]


def url(name, *args):
    return reverse(f"admin:integrations_{name}", args=args)


def first_pk(model: str) -> int:
    return (
        {"fieldmapping": FieldMapping, "matchrule": MatchRule, "syncsettings": SyncSettings}[model]
        .objects.first()
        .pk
    )


def mapping_post(mapping: FieldMapping, **changes) -> dict:
    data = {
        "entity": mapping.entity,
        "local_field": mapping.local_field,
        "direction": mapping.direction,
        "qbo_path": mapping.qbo_path,
        "conflict_policy": mapping.conflict_policy,
        "transform": mapping.transform,
        "transform_args": json.dumps(mapping.transform_args),
        "notes": mapping.notes,
    }
    return {**data, **changes}


@pytest.mark.parametrize("model", MODELS)
def test_a_manager_can_view_add_and_change(client, manager, model):
    client.force_login(manager)
    assert client.get(url(f"{model}_changelist")).status_code == 200
    assert client.get(url(f"{model}_add")).status_code == 200
    page = client.get(url(f"{model}_change", first_pk(model)))
    assert page.status_code == 200 and page.context["has_change_permission"]


@pytest.mark.parametrize("role", ["bookkeeper", "staff"])
@pytest.mark.parametrize("model", MODELS)
def test_bookkeepers_and_staff_see_the_configuration_but_cannot_change_it(client, request, role, model):
    client.force_login(request.getfixturevalue(role))
    pk = first_pk(model)
    assert client.get(url(f"{model}_changelist")).status_code == 200
    page = client.get(url(f"{model}_change", pk))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert client.get(url(f"{model}_add")).status_code == 403
    assert client.post(url(f"{model}_change", pk), {}).status_code == 403
    assert client.post(url(f"{model}_delete", pk), {"post": "yes"}).status_code == 403


@pytest.mark.parametrize("role", ["bookkeeper", "staff"])
def test_only_managers_import_and_re_sync(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(url("fieldmapping_import")).status_code == 403
    assert client.get(url("fieldmapping_resync")).status_code == 403
    assert client.get(url("fieldmapping_preview")).status_code == 200


@pytest.mark.parametrize("role", ["manager", "bookkeeper", "staff"])
def test_the_audit_trail_is_view_only_for_everyone(client, request, role, manager):
    client.force_login(request.getfixturevalue(role))
    change = ConfigChange.objects.create(
        actor=manager, action="created", model="integrations.matchrule", object_repr="x"
    )
    assert client.get(url("configchange_changelist")).status_code == 200
    assert client.get(url("configchange_change", change.pk)).status_code == 200
    assert client.get(url("configchange_add")).status_code == 403
    assert client.post(url("configchange_delete", change.pk), {"post": "yes"}).status_code == 403
    assert ConfigChange.objects.filter(pk=change.pk).exists()


def test_a_manager_changing_a_mapping_is_audited(manager_client, manager):
    mapping = FieldMapping.objects.get(entity="customer", qbo_path="Notes")
    response = manager_client.post(
        url("fieldmapping_change", mapping.pk), mapping_post(mapping, direction="to_qbo")
    )
    assert response.status_code == 302
    audit = ConfigChange.objects.get()
    assert (audit.actor, audit.before["direction"], audit.after["direction"]) == (manager, "both", "to_qbo")


def test_a_mistyped_field_path_is_explained_on_the_form_and_not_saved(manager_client):
    mapping = FieldMapping.objects.get(entity="customer", qbo_path="PrimaryEmailAddr.Address")
    page = manager_client.post(
        url("fieldmapping_change", mapping.pk), mapping_post(mapping, qbo_path="PrimaryEmailAddr.Adress")
    )
    assert page.status_code == 200
    assert "Did you mean ‘PrimaryEmailAddr.Address’?" in page.content.decode()
    assert FieldMapping.objects.get(pk=mapping.pk).qbo_path == "PrimaryEmailAddr.Address"


def test_a_contradicting_mapping_is_explained_on_the_form(manager_client):
    data = mapping_post(
        FieldMapping(entity="customer", local_field="ship_city", qbo_path="BillAddr.City", transform_args={})
    )
    page = manager_client.post(url("fieldmapping_add"), data)
    assert "Two rules send different local fields to BillAddr.City" in page.content.decode()
    assert not FieldMapping.objects.filter(local_field="ship_city", qbo_path="BillAddr.City").exists()


def test_deleting_a_required_mapping_is_refused_with_the_reason(manager_client):
    mapping = FieldMapping.objects.get(entity="item", qbo_path="Type")
    page = manager_client.post(url("fieldmapping_delete", mapping.pk), {"post": "yes"}, follow=True)
    assert "Not deleted: Type is required by QuickBooks" in page.content.decode()
    assert FieldMapping.objects.filter(pk=mapping.pk).exists()


def test_settings_with_a_default_customer_that_cannot_be_checked_save_with_a_warning(manager_client):
    settings = SyncSettings.objects.get(realm_id="")
    data = {
        field.name: json.dumps(value)
        if isinstance(value := getattr(settings, field.name), dict | list)
        else value
        for field in SyncSettings._meta.fields
        if field.editable and field.name != "id"
    }
    data.update(unmatched_action="default_customer", default_customer_qbo_id="58", customer_types=[])
    page = manager_client.post(url("syncsettings_change", settings.pk), data, follow=True)
    assert "Could not check that QuickBooks customer 58" in page.content.decode()
    assert SyncSettings.objects.get(pk=settings.pk).default_customer_qbo_id == "58"


CANDIDATES = [
    {"Id": "58", "DisplayName": "Ada L.", "Active": True, "PrimaryEmailAddr": {"Address": "ada@example.com"}},
    {"Id": "59", "DisplayName": "Someone Else", "Active": True},
]


def test_preview_of_a_customer_shows_the_json_and_why_it_matches(client, bookkeeper):
    client.force_login(bookkeeper)
    ada = CustomerFactory(display_name="Ada Lovelace", email="ada@example.com", bill_city="London")
    page = client.post(
        url("fieldmapping_preview"),
        {
            "record": "customer",
            "reference": "ada lovelace",
            "realm_id": "",
            "candidates": json.dumps(CANDIDATES),
        },
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert json.loads(page.context["customer_json"])["BillAddr"] == {"City": "London"}
    assert "&quot;DisplayName&quot;: &quot;Ada Lovelace&quot;" in html
    assert "Email address: email ada@example.com matches QuickBooks customer 58" in html
    assert page.context["customer"].match.qbo_id == "58" and str(ada) in html
    assert not OutboxEntry.objects.filter(
        entity="customers.customer", object_id=ada.pk, operation="update"
    ).exists()


def test_preview_of_a_sale_shows_the_document_and_the_customer_match(manager_client):
    customer = CustomerFactory(display_name="Ada Lovelace", email="nobody@example.com")
    sale = make_charge(customer=customer, amount="40.00", customer_po="PO-77")
    page = manager_client.post(
        url("fieldmapping_preview"), {"record": "sale", "reference": sale.number, "realm_id": ""}
    )
    html = page.content.decode()
    body = json.loads(page.context["sale_json"])["Invoice"]
    assert body["DocNumber"] == sale.number and body["Line"][0]["Amount"] == 40.0
    assert body["CustomField"] == [{"Name": "P.O. Number", "Type": "StringType", "StringValue": "PO-77"}]
    assert body["CustomerRef"] == {"name": "Ada Lovelace"}
    assert "An account charge is sent as a QuickBooks Invoice." in html
    assert "No rule matched: the customer syncs, so a new QuickBooks customer will be created." in html


def test_preview_of_a_sale_for_a_customer_quickbooks_lacks_shows_the_default_customer(manager_client):
    SyncSettings.objects.update_or_create(
        realm_id="",
        defaults={
            "unmatched_action": "default_customer",
            "default_customer_qbo_id": "59",
            "address_updates": "both",
        },
    )
    pete = CustomerFactory(display_name="Private Pete", email="pete@example.com", sync_with_quickbooks=False)
    sale = make_charge(customer=pete, amount="12.00", addresses={"bill_line1": "3 Order Lane"})
    page = manager_client.post(
        url("fieldmapping_preview"),
        {"record": "sale", "reference": sale.number, "realm_id": "", "candidates": json.dumps(CANDIDATES)},
    )
    html = page.content.decode()
    body = json.loads(page.context["sale_json"])["Invoice"]
    assert body["CustomerRef"] == {"value": "59"} and body["BillAddr"] == {"Line1": "3 Order Lane"}
    assert "posted to the default customer (QuickBooks id 59)" in html
    assert "<td>nothing has email pete@example.com.</td>" in html  # each rule tried, and why it missed
    assert "Its sales, payments and credits go to the default customer (QuickBooks id 59)." in html
    assert page.context["sale"].document.customer_changes == {}  # the default customer keeps its address

    # One the match rules find in QuickBooks is posted to that customer, not to the default one.
    ada = CustomerFactory(display_name="Ada Private", email="ada@example.com", sync_with_quickbooks=False)
    found = make_charge(customer=ada, amount="5.00")
    page = manager_client.post(
        url("fieldmapping_preview"),
        {"record": "sale", "reference": found.number, "realm_id": "", "candidates": json.dumps(CANDIDATES)},
    )
    assert json.loads(page.context["sale_json"])["Invoice"]["CustomerRef"] == {"value": "58"}
    assert (
        "go to QuickBooks customer 58: Email address: email ada@example.com matches" in page.content.decode()
    )


def test_preview_says_when_the_record_does_not_exist(manager_client):
    page = manager_client.post(
        url("fieldmapping_preview"), {"record": "sale", "reference": "NOPE", "realm_id": ""}
    )
    assert "No sale ‘NOPE’ was found." in page.content.decode()


def test_re_sync_shows_the_count_then_queues_on_confirmation(manager_client, manager):
    CustomerFactory.create_batch(3, sync_with_quickbooks=True)
    CustomerFactory(sync_with_quickbooks=False)
    OutboxEntry.objects.all().delete()
    preview = manager_client.get(url("fieldmapping_resync"), {"entity": ["customer"], "realm_id": ""})
    assert preview.context["total"] == 3 and "This will queue 3 record(s)" in preview.content.decode()
    assert not OutboxEntry.objects.exists()
    done = manager_client.post(
        url("fieldmapping_resync"), {"entity": ["customer"], "realm_id": "", "confirm": "1"}
    )
    run = BulkRun.objects.get()
    assert done["Location"] == url("bulkrun_change", run.pk)  # the run's progress page
    assert run.total == 3
    bulk_run_execute(run.pk)
    assert OutboxEntry.objects.filter(entity="customers.customer", operation="update").count() == 3
    assert ConfigChange.objects.get(action="resync").actor == manager


def test_the_re_sync_action_starts_from_the_selected_mappings_entities(manager_client):
    ids = [
        FieldMapping.objects.filter(entity="item").first().pk,
        FieldMapping.objects.filter(entity="payment").first().pk,
    ]
    response = manager_client.post(
        url("fieldmapping_changelist"), {"action": "resync_selected", "_selected_action": ids}
    )
    assert response.status_code == 302
    assert response["Location"] == url("fieldmapping_resync") + "?entity=item&entity=payment"
