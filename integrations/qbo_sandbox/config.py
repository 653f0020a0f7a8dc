"""Every knob of the sandbox in one place.

Behaviour the spec tags [INF] or [EMU] (a guess, or an emulator design choice) is a setting here
with the default the spec recommends, so a user who learns what real QuickBooks does can match it.
The developer app's credentials default to the values SyncPortal's own settings use, so the demo
connects with no configuration.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SandboxConfig:
    host: str = "127.0.0.1"
    port: int = 8765
    data_path: str = "var/qbo_sandbox.sqlite3"
    time_scale: float = 1.0  # simulated seconds per real second
    test_hooks: bool = False  # expose /__sandbox/* write hooks (faults, clock, bookkeeper edits)
    public_url: str = ""  # base URL clients use; default http://{host}:{port}
    threads: int = 16  # waitress worker threads (must exceed the 10-concurrent limit)

    # The developer app (one per sandbox; Intuit's "keys & credentials" page).
    client_id: str = "syncportal-sandbox-client"
    client_secret: str = "syncportal-sandbox-secret"
    redirect_uris: list[str] = field(
        default_factory=lambda: [
            "http://127.0.0.1:8000/admin/integrations/qboconnection/callback/",
            "http://localhost:8000/admin/integrations/qboconnection/callback/",
        ]
    )
    webhook_url: str = "http://127.0.0.1:8000/integrations/webhooks/qbo/"
    webhook_verifier_token: str = "syncportal-sandbox-verifier"
    webhook_format: str = "legacy"  # legacy | cloudevents
    webhook_debounce_seconds: float = 1.0  # QBO aggregates events before sending (simulated seconds)
    webhooks_enabled: bool = True
    # Webhook delivery (webhooks/ package). Times are simulated seconds unless marked real.
    webhook_timeout_seconds: float = 3.0  # [DOC] endpoint must answer 200 within 3 s (real seconds)
    webhook_retry_schedule: tuple[float, ...] = (10, 20, 30, 300, 1200, 7200, 14400, 21600)  # [DOC]
    webhook_retry_every_seconds: float = 21600  # [DOC] after the schedule: every 6 h, forever
    webhook_max_events_per_post: int = 100  # [DOC] CloudEvents arrays hold up to ~100 events

    # Seed data
    seed_realm_id: str = "9341450000000001"
    company_tz: str = "America/Los_Angeles"

    # Throttling (Intuit's published limits); throttle=False turns all of them off.
    throttle: bool = True
    requests_per_minute: int = 500
    max_concurrent: int = 10
    batch_requests_per_minute: int = 40
    batch_max_items: int = 30
    # [EMU] Round trip of a real QuickBooks call (network + Intuit's service time), in simulated
    # milliseconds, so a benchmark can compare a one-call-at-a-time loop with batching and
    # concurrency as they would compare against Intuit. Intuit publishes no figure; 0 (the default)
    # answers as fast as the sandbox can. A batch costs request_latency_ms + batch_item_latency_ms
    # per item. The wait happens after the request is admitted, so it counts toward max_concurrent.
    request_latency_ms: float = 0.0
    batch_item_latency_ms: float = 0.0

    # Tokens
    access_token_ttl: int = 3600  # seconds (simulated)
    refresh_token_ttl: int = 8726400  # rolling, ~101 days
    refresh_token_hard_ttl: int = 157680000  # 5 years from the original grant
    refresh_rotation: str = "intuit"  # intuit | always | never
    refresh_rotation_interval: int = 86400  # intuit mode: the value changes after this long
    refresh_grace_seconds: int = 86400  # intuit mode: previous value still accepted this long
    auth_code_ttl: int = 300
    # OAuth [EMU]/[INF] choices (oauth/ package).
    authorize_auto_approve: bool = False  # skip the consent page; approve for the seed/first company
    refresh_concurrent_window_seconds: float = 2.0  # intuit: same token refreshed this soon -> same pair
    revoke_access_token_revokes_grant: bool = True  # revoking an access token disconnects the app too
    id_token_ttl: int = 3600
    id_token_wall_clock: bool = True  # id_token iat/exp in real time (clients check them on theirs)
    oauth_user_email: str = "developer@example.com"  # the signed-in Intuit user (userinfo / id_token)
    oauth_user_given_name: str = "Sandbox"
    oauth_user_family_name: str = "Developer"
    oauth_user_phone: str = "+1 650 555 0100"

    # [INF]/[EMU] behaviours
    requestid_retention_seconds: int = 86400
    cdc_window_days: int = 30
    cdc_max_objects: int = 1000
    query_default_max: int = 100
    query_max_results: int = 1000
    rename_on_deactivate: bool = False  # append " (deleted)" to inactive customers' names
    deactivate_children_with_parent: bool = True
    bump_synctoken_on_linked_change: bool = True  # payment applied -> invoice SyncToken+1
    reject_payment_over_open_balance: bool = True
    strict_properties: bool = False  # unknown properties -> 2010 instead of ignored
    inventory_tracking: bool = True  # QtyOnHand moves with sales and returns
    # [OBS] §5.1: real QBO sometimes answers a 400 in the lower-case `fault` envelope (python-quickbooks
    # then raises a generic QuickbooksException 10000). On = every 400 uses it, to test that path.
    lowercase_fault_chaos: bool = False
    max_sub_customer_levels: int = 4  # Level limit under a top-level customer (6180 beyond)
    reject_deactivate_with_balance: bool = True  # 6220 when deactivating a customer that owes money
    reject_update_of_voided: bool = True  # 6000 when editing / re-voiding a voided transaction
    rename_account_on_deactivate: bool = True  # accounts get " (deleted)" (observed on real QBO)
    account_number_max_length: int = 20  # AcctNum limit (docs say 7 for US; real sandbox takes 11+)
    docnumber_start: int = 1001  # first auto-assigned sales-form DocNumber
    undeposited_funds_account_id: str = "4"  # default DepositToAccountRef of payments / receipts
    merge_bumps_transactions: bool = True  # merge hook: re-pointed transactions get SyncToken+1
    request_log_size: int = 5000  # entries kept for GET /__sandbox/requests
    lost_response_status: int = 502  # what the client sees for a "lost_response" fault
    seed_age_days: int = 60  # seed objects' CreateTime lies this far back (out of CDC)

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def api_base_url(self) -> str:
        return f"{self.base_url}/v3"

    @property
    def discovery_url(self) -> str:
        return f"{self.base_url}/.well-known/openid_sandbox_configuration"
