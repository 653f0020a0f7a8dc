"""POST /integrations/webhooks/qbo/: Intuit's notification server calls this; it must answer within 3 s.

The view only checks, stores and acknowledges. The signature is checked over the raw bytes before
anything parses them; a bad or missing one gets 401, nothing stored, and one security log line (no
body, no customer data). Processing (merges, the CDC read) happens in a django-q2 task.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integrations.services.webhooks import webhook_delivery_store
from integrations.webhooks.parse import MalformedWebhook, parse_notices
from integrations.webhooks.signature import signature_valid

security_log = logging.getLogger("integrations.security")


@csrf_exempt
@require_POST
def qbo_webhook(request: HttpRequest) -> HttpResponse:
    body = request.body
    signature = request.headers.get("intuit-signature", "")
    if not signature_valid(body, signature, settings.QBO_WEBHOOK_VERIFIER_TOKEN):
        security_log.warning(
            "QuickBooks webhook refused: %s signature (remote %s, %d bytes)",
            "bad" if signature else "missing",
            request.META.get("REMOTE_ADDR", "?"),
            len(body),
        )
        return JsonResponse({"error": "invalid signature"}, status=401)
    try:
        kind, notices = parse_notices(body)
    except MalformedWebhook as exc:
        return JsonResponse({"error": f"malformed notification: {exc}"}, status=400)
    delivery = webhook_delivery_store(body=body, kind=kind, notices=notices)
    return JsonResponse({"received": delivery.pk})
