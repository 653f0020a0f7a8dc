"""Configuration writes: validated, audited with before/after, and re-sync queues the records in scope."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from integrations.models.mapping import ConfigChange, FieldMapping, MatchRule, SyncSettings
from integrations.selectors.config import sync_options
from integrations.services import config as services
from integrations.services.bulk_runs import bulk_resync_start, bulk_run_execute
from syncportal.outbox.models import OutboxEntry
from tests.factories.customers import CustomerFactory, CustomerTypeFactory
from tests.factories.integrations import SyncSettingsFactory
from tests.factories.sales import make_cash_sale

pytestmark = pytest.mark.django_db


def test_the_default_configuration_ships_with_the_migrations():
    assert FieldMapping.objects.filter(entity="customer", qbo_path="DisplayName", direction="both").exists()
    assert list(MatchRule.objects.values_list("kind", flat=True))[:2] == ["linked_id", "email"]
    assert sync_options("").customer_scope == "flagged"


def test_changing_a_mapping_is_audited_with_before_and_after(manager):
    mapping = FieldMapping.objects.get(entity="customer", qbo_path="Notes")
    mapping.transform_args = {"max_length": 500}
    services.mapping_save(mapping=mapping, actor=manager)
    change = ConfigChange.objects.get()
    assert (change.actor, change.action, change.model) == (manager, "changed", "integrations.fieldmapping")
    assert change.before["transform_args"] == {} and change.after["transform_args"] == {"max_length": 500}
    assert "transform_args" in change.summary


def test_saving_without_a_change_writes_no_audit_row(manager):
    services.mapping_save(
        mapping=FieldMapping.objects.get(entity="customer", qbo_path="Notes"), actor=manager
    )
    assert not ConfigChange.objects.exists()


def test_creating_and_deleting_a_mapping_are_audited(manager):
    saved = services.mapping_save(
        mapping=FieldMapping(
            entity="customer",
            local_field="company_name",
            qbo_path="PrintOnCheckName",
            direction="to_qbo",
        ),
        actor=manager,
    )
    services.mapping_delete(mapping=saved.instance, actor=manager)
    created, deleted = ConfigChange.objects.order_by("id")
    assert (
        created.action == "created"
        and created.before is None
        and created.after["qbo_path"] == "PrintOnCheckName"
    )
    assert (
        deleted.action == "deleted"
        and deleted.before["qbo_path"] == "PrintOnCheckName"
        and deleted.after is None
    )
    assert not FieldMapping.objects.filter(qbo_path="PrintOnCheckName").exists()


def test_a_change_that_breaks_the_entitys_mappings_is_refused_and_nothing_is_saved(manager):
    mapping = FieldMapping.objects.get(entity="item", qbo_path="Name")
    mapping.direction = "from_qbo"
    with pytest.raises(ValidationError) as refused:
        services.mapping_save(mapping=mapping, actor=manager)
    assert "Name is required by QuickBooks but no mapping sends it to QuickBooks." in refused.value.messages
    assert FieldMapping.objects.get(pk=mapping.pk).direction == "both" and not ConfigChange.objects.exists()


def test_a_mapping_contradicting_another_is_refused(manager):
    with pytest.raises(ValidationError, match=r"Two rules send different local fields to BillAddr\.City"):
        services.mapping_save(
            mapping=FieldMapping(entity="customer", local_field="ship_city", qbo_path="BillAddr.City"),
            actor=manager,
        )


def test_deleting_the_last_mapping_of_a_required_field_is_refused(manager):
    with pytest.raises(ValidationError, match="TotalAmt is required by QuickBooks"):
        services.mapping_delete(
            mapping=FieldMapping.objects.get(entity="payment", qbo_path="TotalAmt"), actor=manager
        )
    assert FieldMapping.objects.filter(entity="payment", qbo_path="TotalAmt").exists()


def test_model_clean_gives_the_row_message():
    mapping = FieldMapping(entity="customer", local_field="email", qbo_path="PrimaryEmailAddr.Adress")
    with pytest.raises(ValidationError) as refused:
        mapping.full_clean()
    assert refused.value.message_dict["qbo_path"] == [
        "‘PrimaryEmailAddr.Adress’ is not a QuickBooks Customer field. "
        "Did you mean ‘PrimaryEmailAddr.Address’?"
    ]


def test_match_rule_changes_are_audited_and_warn_when_nothing_matches_on_sending(manager):
    rule = MatchRule.objects.get(kind="fuzzy_name")
    rule.enabled, rule.threshold = True, 88
    services.match_rule_save(rule=rule, actor=manager)
    assert ConfigChange.objects.get().after["threshold"] == 88
    warnings = ()
    for other in MatchRule.objects.all():
        warnings = services.match_rule_delete(rule=other, actor=manager)
    assert "duplicating the ones QuickBooks already has" in warnings[0]
    assert ConfigChange.objects.filter(action="deleted").count() == 6


def test_settings_with_an_unknown_default_customer_save_with_a_warning_and_an_audit_row(manager):
    settings = SyncSettings.objects.get(realm_id="")
    settings.unmatched_action, settings.default_customer_qbo_id = "default_customer", "58"
    saved = services.settings_save(settings=settings, actor=manager)
    assert "Could not check that QuickBooks customer 58" in saved.warnings[0]
    assert ConfigChange.objects.get().after["default_customer_qbo_id"] == "58"


def test_settings_with_an_error_are_refused(manager):
    settings = SyncSettings.objects.get(realm_id="")
    settings.customer_scope = "by_type"
    with pytest.raises(ValidationError, match="Choose at least one customer type"):
        services.settings_save(settings=settings, actor=manager)


def test_resync_counts_and_queues_only_records_in_scope(manager):
    retail = CustomerTypeFactory(name="Retail")
    flagged = CustomerFactory(sync_with_quickbooks=True)
    CustomerFactory(sync_with_quickbooks=False, customer_type=retail)
    child = CustomerFactory(parent=flagged)
    make_cash_sale(date=datetime.date(2026, 1, 5))
    recent = make_cash_sale(date=datetime.date(2026, 3, 5))
    OutboxEntry.objects.all().delete()

    entities = ["customer", "sub_customer", "sale"]
    since = datetime.date(2026, 3, 1)
    assert services.resync_affected_count(entities=entities, since=since) == {
        "customer": 1,
        "sub_customer": 1,
        "sale": 1,
    }
    run = bulk_resync_start(entities=entities, since=since, actor=manager, enqueue=False)
    assert run.total == 3
    bulk_run_execute(run.pk)
    counts = {"customer": 1, "sub_customer": 1, "sale": 1}
    queued = set(OutboxEntry.objects.values_list("entity", "object_id", "operation"))
    assert queued == {
        ("customers.customer", flagged.pk, "update"),
        ("customers.customer", child.pk, "update"),
        ("sales.sale", recent.pk, "update"),
    }
    assert "email" in OutboxEntry.objects.filter(object_id=flagged.pk).first().changed_fields
    audit = ConfigChange.objects.get(action="resync")
    assert audit.actor == manager and audit.after["counts"] == counts


def test_resync_follows_a_companys_own_scope():
    SyncSettingsFactory(realm_id="123", customer_scope="by_type", customer_types=["Retail"])
    retail = CustomerTypeFactory(name="Retail")
    CustomerFactory(sync_with_quickbooks=True)
    CustomerFactory.create_batch(2, sync_with_quickbooks=False, customer_type=retail)
    assert services.resync_affected_count(entities=["customer"], realm_id="123") == {"customer": 2}
    assert services.resync_affected_count(entities=["customer"], realm_id="") == {"customer": 1}
    # A company without settings of its own uses the defaults row.
    assert services.resync_affected_count(entities=["customer"], realm_id="456") == {"customer": 1}
