"""A bookkeeper fixes a customer QuickBooks refused, from the failure queue, in a real browser."""

import re

import pytest

from customers.models import Customer
from customers.services import customer_create
from integrations.models import QBOLink, SyncFailure
from integrations.sync.push import drain
from syncportal.access.roles import BOOKKEEPER

pytestmark = [pytest.mark.browser, pytest.mark.sandbox, pytest.mark.django_db(transaction=True)]


def test_bookkeeper_fixes_a_refused_email_and_sees_the_failure_resolve(page, login_as, shot, connection, qbo):
    # A real refusal: Django accepts a host-only address, QuickBooks does not ("Invalid Email Address").
    customer = customer_create(display_name="Marina Deli", email="orders@localhost")
    drain(connection.pk)
    failure = SyncFailure.objects.get(object_id=customer.pk)
    assert failure.status == SyncFailure.Status.OPEN

    login_as(BOOKKEEPER)
    shot("dashboard")
    page.goto("/admin/integrations/syncfailure/")
    assert "Marina Deli" in page.inner_text("#result_list")
    shot("failure queue")
    page.click(f"#result_list a[href$='/syncfailure/{failure.pk}/change/']")
    page.wait_for_url(re.compile(rf"/syncfailure/{failure.pk}/change/$"))
    assert "Invalid Email Address Format" in page.inner_text(".field-message")
    assert page.inner_text(".field-status .readonly") == "Needs attention"
    shot("the failure, in plain words")

    page.click(".object-tools a:text('Fix the record')")
    page.wait_for_url(re.compile(rf"/customers/customer/{customer.pk}/change/$"))
    shot("the customer")
    page.fill("#id_email", "orders@marinadeli.example")
    shot("email fixed")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist")
    shot("saved")

    # Saving queued the customer again; the push drain (the django-q task's body) sends it.
    result = drain(connection.pk)
    assert result.pushed == 1

    page.goto(f"/admin/integrations/syncfailure/{failure.pk}/change/")
    assert page.inner_text(".field-status .readonly") == "Resolved"
    shot("failure resolved")
    page.goto("/admin/integrations/syncfailure/")
    assert "Nothing needs attention" in page.inner_text("#content")
    shot("queue empty")

    link = QBOLink.objects.get(entity="customers.customer", object_id=customer.pk)
    assert qbo.read("Customer", link.qbo_id)["PrimaryEmailAddr"]["Address"] == "orders@marinadeli.example"
    assert Customer.objects.get(pk=customer.pk).email == "orders@marinadeli.example"
