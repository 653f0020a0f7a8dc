"""Configuration export and import: a tested setup moves between databases exactly, or not at all."""

import json

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from integrations.models.mapping import ConfigChange, FieldMapping, MatchRule
from integrations.resources import FieldMappingResource, MatchRuleResource

pytestmark = pytest.mark.django_db

MAPPING_KEYS = (
    "entity",
    "local_field",
    "qbo_path",
    "direction",
    "conflict_policy",
    "transform",
    "transform_args",
    "notes",
)


def configuration():
    rows = FieldMapping.objects.values_list(*MAPPING_KEYS)
    mappings = {tuple(json.dumps(v, sort_keys=True) for v in row) for row in rows}
    rules = set(MatchRule.objects.values_list("position", "kind", "threshold", "applies", "enabled"))
    return mappings, rules


def exported() -> tuple[str, str]:
    return FieldMappingResource().export().csv, MatchRuleResource().export().csv


def import_csv(resource, text: str, user=None):
    dataset = tablib.Dataset().load(text, format="csv")
    return resource.import_data(dataset, dry_run=False, rollback_on_validation_errors=True, user=user)


def test_export_then_import_into_a_clean_database_gives_the_same_configuration(manager):
    notes = FieldMapping.objects.get(entity="customer", qbo_path="Notes")
    notes.transform_args, notes.notes = {"max_length": 1000}, "Staging: shorter notes"
    notes.save()
    before = configuration()
    mappings_csv, rules_csv = exported()
    FieldMapping.objects.all().delete()
    MatchRule.objects.all().delete()

    first = import_csv(FieldMappingResource(), mappings_csv, manager)
    second = import_csv(MatchRuleResource(), rules_csv, manager)

    assert not first.has_errors() and not first.has_validation_errors() and not second.has_errors()
    assert configuration() == before
    assert ConfigChange.objects.filter(action="imported", actor=manager).count() == len(before[0]) + len(
        before[1]
    )


def test_an_import_replaces_the_configuration_and_audits_what_it_removed(manager):
    mappings_csv, _ = exported()
    extra = FieldMapping.objects.create(
        entity="customer", local_field="company_name", qbo_path="PrintOnCheckName", direction="to_qbo"
    )
    result = import_csv(FieldMappingResource(), mappings_csv, manager)
    assert not result.has_errors()
    assert not FieldMapping.objects.filter(pk=extra.pk).exists()
    assert ConfigChange.objects.get(action="deleted").summary == "Not in the imported file."
    assert result.totals["delete"] == 1 and result.totals["skip"] == FieldMapping.objects.count()


def test_a_file_with_one_bad_row_saves_nothing_and_names_the_row():
    before = configuration()
    mappings_csv, _ = exported()
    rows = mappings_csv.splitlines()
    bad_row = next(i for i, row in enumerate(rows) if ",PrimaryEmailAddr.Address," in row)
    rows[bad_row] = rows[bad_row].replace("PrimaryEmailAddr.Address", "PrimaryEmailAddr.Adress")
    rows.append("customer,customer_type,CustomerTypeRef.name,to_qbo,newest_wins,none,{},new row")

    result = import_csv(FieldMappingResource(), "\n".join(rows))

    assert result.has_validation_errors()
    (invalid,) = result.invalid_rows
    assert invalid.number == bad_row
    assert invalid.error_dict["qbo_path"] == [
        "‘PrimaryEmailAddr.Adress’ is not a QuickBooks Customer field. "
        "Did you mean ‘PrimaryEmailAddr.Address’?"
    ]
    assert configuration() == before
    assert not ConfigChange.objects.exists()


def test_a_file_whose_rows_are_fine_but_leave_a_required_field_unmapped_saves_nothing():
    before = configuration()
    mappings_csv, _ = exported()
    rows = [row for row in mappings_csv.splitlines() if ",Name," not in row]
    result = import_csv(FieldMappingResource(), "\n".join(rows))
    assert result.has_errors()
    assert (
        "Name is required by QuickBooks but no mapping sends it to QuickBooks."
        in result.base_errors[0].error.messages
    )
    assert configuration() == before


def test_transform_arguments_that_are_not_json_are_a_row_error():
    mappings_csv, _ = exported()
    rows = mappings_csv.splitlines()
    notes_row = next(i for i, row in enumerate(rows) if ",Notes," in row and row.startswith("customer,"))
    rows[notes_row] = rows[notes_row].replace(",trim,{},", ",trim,max 10,")
    result = import_csv(FieldMappingResource(), "\n".join(rows))
    assert "Transform arguments must be a JSON object" in str(result.invalid_rows[0].error_dict)


def _csv_format_index(client) -> str:
    page = client.get(reverse("admin:integrations_fieldmapping_import"))
    return next(
        str(value) for value, label in page.context["form"].fields["format"].choices if label == "csv"
    )


def test_admin_import_shows_the_row_error_and_saves_nothing(manager_client):
    before = configuration()
    mappings_csv, _ = exported()
    bad = mappings_csv.replace(",PrimaryEmailAddr.Address,", ",PrimaryEmailAddr.Adress,", 1)
    upload = SimpleUploadedFile("mappings.csv", bad.encode(), content_type="text/csv")
    page = manager_client.post(
        reverse("admin:integrations_fieldmapping_import"),
        {"format": _csv_format_index(manager_client), "import_file": upload},
    )
    assert page.status_code == 200
    assert "Did you mean ‘PrimaryEmailAddr.Address’?" in page.content.decode()
    assert "confirm_form" not in page.context or page.context["confirm_form"] is None
    assert configuration() == before


def test_admin_import_is_a_dry_run_first_then_saves_on_confirmation(manager_client, manager):
    mappings_csv, _ = exported()
    old, new = (
        "\ncustomer,notes,Notes,both,newest_wins,trim,{}",
        "\ncustomer,notes,Notes,both,qbo_wins,trim,{}",
    )
    changed = mappings_csv.replace(old, new)
    assert changed != mappings_csv
    upload = SimpleUploadedFile("mappings.csv", changed.encode(), content_type="text/csv")
    dry = manager_client.post(
        reverse("admin:integrations_fieldmapping_import"),
        {"format": _csv_format_index(manager_client), "import_file": upload},
    )
    assert FieldMapping.objects.get(entity="customer", qbo_path="Notes").conflict_policy == "newest_wins"
    confirm = dry.context["confirm_form"]
    done = manager_client.post(
        reverse("admin:integrations_fieldmapping_process_import"),
        {name: confirm.initial.get(name, "") for name in confirm.fields},
    )
    assert done.status_code == 302
    assert FieldMapping.objects.get(entity="customer", qbo_path="Notes").conflict_policy == "qbo_wins"
    assert ConfigChange.objects.get(action="imported").actor == manager
