"""Reading back what the sandbox company holds after a push (through the test's own gateway)."""

from __future__ import annotations

from integrations.models import QBOLink


def linked(record, connection=None) -> QBOLink:
    entity = f"{record._meta.app_label}.{record._meta.model_name}"
    links = QBOLink.objects.filter(entity=entity, object_id=record.pk)
    if connection is not None:
        links = links.filter(connection=connection)
    return links.get()


def read_back(qbo, record) -> dict:
    link = linked(record)
    return qbo.read(link.qbo_type, link.qbo_id)


def named(qbo, entity: str, name: str, field: str = "DisplayName") -> list[dict]:
    escaped = name.replace("'", "\\'")
    where = f"{field} = '{escaped}'"
    if entity in ("Customer", "Item"):
        where += " AND Active IN (true, false)"
    return qbo.query(f"SELECT * FROM {entity} WHERE {where}").get(entity, [])


def item_lines(doc: dict) -> list[dict]:
    return [line for line in doc["Line"] if line["DetailType"] == "SalesItemLineDetail"]
