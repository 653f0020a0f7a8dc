"""A manager changes a field mapping, previews the QuickBooks JSON and re-syncs, in a real browser."""

import re

import pytest

from customers.services import customer_create
from integrations.models import BulkRun, FieldMapping, QBOLink
from integrations.services.bulk_runs import bulk_run_execute
from integrations.sync.push import drain
from syncportal.access.roles import MANAGER

pytestmark = [pytest.mark.browser, pytest.mark.sandbox, pytest.mark.django_db(transaction=True)]


def test_manager_changes_a_mapping_previews_it_and_re_syncs(
    page, login_as, shot, connection, sandbox_company
):
    customer = customer_create(
        display_name="Harbor Grill", company_name="Harbor Grill LLC", sync_with_quickbooks=True
    )
    drain(connection.pk)
    mapping = FieldMapping.objects.get(entity="customer", local_field="company_name")

    login_as(MANAGER)
    page.goto("/admin/integrations/fieldmapping/")
    shot("field mappings")
    page.click(f"#result_list a[href$='/fieldmapping/{mapping.pk}/change/'] >> nth=0")
    page.wait_for_selector("#id_transform")
    page.select_option("#id_transform", "case")
    page.fill("#id_transform_args", '{"mode": "upper"}')
    shot("company name in capitals")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist")
    shot("mapping saved")

    page.click(".object-tools a:text('Preview')")
    page.select_option("#id_record", "customer")
    page.fill("#id_reference", "Harbor Grill")
    page.click("#content form [type=submit] >> nth=0")
    page.wait_for_selector("pre")
    preview = page.inner_text("#content")
    assert '"CompanyName": "HARBOR GRILL LLC"' in preview
    shot("preview of the QuickBooks JSON")

    page.goto("/admin/integrations/fieldmapping/")
    page.click(".object-tools a:text('Re-sync records…')")
    page.check("input[name=entity][value=customer]")
    page.click("input[name=count]")
    assert "This will queue 1 record(s)" in page.inner_text("#content")
    shot("count preview")
    page.click("input[name=confirm]")
    page.wait_for_url(re.compile(r"/bulkrun/\d+/change/$"))
    run = BulkRun.objects.get()
    assert page.inner_text("#bulk-percent") == "0%" and page.is_visible("#bulk-cancel")
    shot("re-sync queued")

    bulk_run_execute(run.pk)  # what the django-q worker does with the queued task
    # The bar catches up by itself: the page polls, it is never reloaded.
    page.wait_for_selector("#bulk-progress[data-finished=done]")
    assert page.inner_text("#bulk-percent") == "100%"
    assert page.inner_text("#bulk-text") == "Done · 1 of 1 records sent"
    assert page.locator("#bulk-cancel").count() == 0  # nothing left to cancel
    shot("re-sync done")

    link = QBOLink.objects.get(entity="customers.customer", object_id=customer.pk)
    page.goto(f"{sandbox_company.url}/realms/{sandbox_company.realm}/customers/{link.qbo_id}")
    assert "HARBOR GRILL LLC" in page.content()
    shot("sandbox shows the new value")
