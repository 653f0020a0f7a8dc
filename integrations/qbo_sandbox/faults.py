"""QBO fault envelopes (spec §5) and the exception that carries one through the sandbox.

Business code raises ``Fault``; the HTTP layer turns it into the capitalised envelope
``{"Fault":{"Error":[...],"type":...},"time":...}``. ``code`` is always a string of digits
(python-quickbooks calls ``int()`` on it and crashes without it). The 401 answer uses the
gateway's lower-case envelope of §5.2 instead.
"""

from __future__ import annotations

import time as _time

INACTIVE_DETAIL = (
    "Object Not Found : Something you're trying to use has been made inactive. "
    "Check the fields with accounts, customers, items, vendors or employees."
)
DELETED_DETAIL = "Object Not Found : Another user has deleted this transaction."
STALE_DETAIL = (
    "Stale Object Error : You and {user} were working on this at the same time. "
    "{user} finished before you did, so your work was not saved."
)
BUSINESS_MESSAGE = "A business validation error has occurred while processing your request"


class Fault(Exception):
    """One QBO error; ``status`` is the HTTP status the whole response gets."""

    def __init__(
        self,
        code: str | int,
        message: str,
        detail: str = "",
        element: str = "",
        status: int = 400,
        fault_type: str = "ValidationFault",
    ) -> None:
        super().__init__(f"{code} {message}: {detail}")
        self.code = str(code)
        self.message = message
        self.detail = detail
        self.element = element
        self.status = status
        self.fault_type = fault_type

    def error(self) -> dict:
        return {"Message": self.message, "Detail": self.detail, "code": self.code, "element": self.element}

    def fault(self) -> dict:
        return {"Error": [self.error()], "type": self.fault_type}


def envelope(fault: Fault, time_text: str) -> dict:
    return {"Fault": fault.fault(), "time": time_text}


def lowercase_envelope(fault: Fault) -> dict:
    """The lower-case variant real QBO intermittently returns for 400s (§5.1 [OBS]); chaos flag only."""
    error = {"message": fault.message, "detail": fault.detail, "code": fault.code}
    return {
        "fault": {"error": [error], "type": fault.fault_type},
        "batchItemResponse": [],
        "attachableResponse": [],
        "time": int(_time.time() * 1000),
        "cdcresponse": [],
    }


# --- the catalogue of §5.3, one constructor per code -------------------------------------------


def unsupported(operation: str) -> Fault:
    return Fault("500", "Unsupported Operation", f"Operation {operation} is not supported.")


def duplicate_request_id(request_id: str) -> Fault:
    return Fault(
        "600",
        "Duplicate Request ID",
        f"Duplicate Request ID : The request id {request_id} was already used for a different request.",
    )


def not_found(detail: str = INACTIVE_DETAIL, element: str = "") -> Fault:
    return Fault("610", "Object Not Found", detail, element)


def deleted() -> Fault:
    return not_found(DELETED_DETAIL)


def batch_too_large(limit: int) -> Fault:
    return Fault(
        "1040", "Batch size exceeds allowed limit", f"Batch size exceeds the allowed limit of {limit} items."
    )


def invalid_property(detail: str, element: str = "") -> Fault:
    return Fault(
        "2010",
        "Request has invalid or unsupported property",
        f"Property Name:{detail} specified is unsupported or invalid",
        element,
    )


def required(field: str) -> Fault:
    return Fault(
        "2020",
        "Required param missing, need to supply the required value for the API",
        f"Required parameter {field} is missing in the request",
        field,
    )


def required_detail(field: str, detail: str) -> Fault:
    return Fault(
        "2020", "Required param missing, need to supply the required value for the API", detail, field
    )


def invalid_id(value: object) -> Fault:
    return Fault("2030", "Invalid ID", f"Id should be a valid number. Supplied value:{value}", "Id")


def invalid_string(field: str) -> Fault:
    return Fault("2040", "Invalid String", f"Element contains invalid characters: {field}", field)


def bad_length(field: str, maximum: int, supplied: int) -> Fault:
    return Fault(
        "2050",
        "String length is either shorter or longer than supported by specification",
        f"String length specified does not match the supported length. Min:0 Max:{maximum} supported. "
        f"Supplied length:{supplied}",
        field,
    )


def bad_request_id(request_id: str) -> Fault:
    return Fault("2130", "Invalid Request Id Format", f"Invalid Request Id Format : {request_id[:60]}")


def bad_enum(field: str, value: object) -> Fault:
    return Fault("2170", "Invalid Enumeration", f"Invalid Enumeration : {value}", field)


def bad_email(value: object) -> Fault:
    return Fault(
        "2210", "Invalid Email Address Format", f"Invalid Email Address Format : {value}", "PrimaryEmailAddr"
    )


def invalid_reference(detail: str) -> Fault:
    return Fault("2500", "Invalid Reference Id", f"Invalid Reference Id : {detail}", "Reference Id")


def query_parse(detail: str) -> Fault:
    return Fault("4000", "Error parsing query", detail)


def query_invalid(detail: str) -> Fault:
    return Fault("4001", "Invalid query", detail)


def stale(user: str) -> Fault:
    return Fault("5010", "Stale Object Error", STALE_DETAIL.format(user=user))


def business(text: str) -> Fault:
    return Fault("6000", BUSINESS_MESSAGE, f"Business Validation Error: {text}")


def account_type_missing() -> Fault:
    return Fault(
        "6010",
        "Invalid Account.AccountType && Account.SubType",
        "Either an Account.AccountType or an Account.AccountSubType must be specified",
    )


def amount_mismatch(amount: object) -> Fault:
    return Fault(
        "6070",
        "Amount calculation incorrect in the request",
        f"Amount is not equal to UnitPrice * Qty. Supplied value:{amount}",
    )


def no_name() -> Fault:
    return Fault(
        "6080",
        "No Name Provided",
        "Title, GivenName, MiddleName, FamilyName, DisplayName, Suffix - one of these must be non-empty",
    )


def duplicate_docnumber(doc_number: str, txn_type: str, txn_id: str) -> Fault:
    return Fault(
        "6140",
        "Duplicate Document Number Error",
        "Duplicate Document Number Error : You must specify a different number. This number has already "
        f"been used. DocNumber={doc_number} is assigned to TxnType={txn_type} with TxnId={txn_id}",
    )


def parent_ref_required() -> Fault:
    return Fault(
        "6150",
        "ParentRef Required Error",
        "ParentRef is either required or not if Job is true or false.",
        "Job",
    )


def sub_level_limit(limit: int) -> Fault:
    return Fault(
        "6180", "Sub Level Limit", f"You can only have {limit} levels of sub-customers.", "ParentRef"
    )


def has_balance() -> Fault:
    return Fault(
        "6220",
        "Delete List Has Balance Error",
        "The entity you are trying to delete has an open balance. : "
        "This customer cannot be deleted because it has a non-zero balance",
    )


def duplicate_name(existing_id: object) -> Fault:
    return Fault(
        "6240", "Duplicate Name Exists Error", f"The name supplied already exists. : Id={existing_id}"
    )


def bad_account_type(account_type: str) -> Fault:
    return Fault("6430", "Invalid account type used", f"Invalid account type: {account_type}")


def system_failure(text: str = "An unexpected error occurred.") -> Fault:
    return Fault(
        "10000",
        "An application error has occurred while processing your request",
        f"System Failure Error: {text}",
        status=500,
        fault_type="SystemFault",
    )


def unknown_resource(path: str) -> Fault:
    # RESTEasy's wording, as QBO answers for a resource path it does not serve.
    return Fault(
        "10000",
        "An application error has occurred while processing your request",
        f"System Failure Error: Could not find resource for relative : {path}",
        status=400,
        fault_type="SystemFault",
    )


def throttled() -> Fault:
    return Fault(
        "3001",
        "message=ThrottleExceeded; errorCode=003001; statusCode=429",
        "The request limit was reached.",
        status=429,
        fault_type="SERVICE",
    )


def throttle_body(time_text: str) -> dict:
    """The exact 429 body of §6 (its Error has no ``element``)."""
    error = throttled().error()
    del error["element"]
    return {"Fault": {"Error": [error], "type": "SERVICE"}, "time": time_text}


def auth_failure_body(detail: str) -> dict:
    """The gateway's lower-case 401 envelope (§5.2); ``time`` is epoch milliseconds there."""
    return {
        "warnings": None,
        "intuitObject": None,
        "fault": {
            "error": [
                {
                    "message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
                    "detail": detail,
                    "code": "3200",
                    "element": None,
                }
            ],
            "type": "AUTHENTICATION",
        },
        "report": None,
        "queryResponse": None,
        "batchItemResponse": [],
        "attachableResponse": [],
        "syncErrorResponse": None,
        "requestId": None,
        "time": int(_time.time() * 1000),
        "status": None,
        "cdcresponse": [],
    }
