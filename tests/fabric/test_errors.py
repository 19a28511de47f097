"""Reading fabric's error bodies in each of the shapes fabric's APIs use."""

from contracts_ui import fabric
from contracts_ui.fabric.errors import parse_error_body


def test_it_reads_code_message_and_field_errors():
    body = (
        '{"code":"VALIDATION_ERROR","message":"Invalid input","errors":'
        '[{"field":"startDate","message":"must be before endDate"},{"message":"bad"}]}'
    )
    assert parse_error_body(body) == (
        "VALIDATION_ERROR",
        "Invalid input",
        {"startDate": ["must be before endDate"]},
        ["bad"],
    )


def test_it_reads_type_and_message():
    code, message, fields, others = parse_error_body('{"type":"NOT_FOUND","message":"No such"}')
    assert (code, message, fields, others) == ("NOT_FOUND", "No such", {}, ["No such"])


def test_it_reads_plain_text_and_keeps_it_short():
    code, message, fields, _ = parse_error_body("<html>Bad   gateway</html>" + "x" * 1000)
    assert code is None
    assert message.startswith("<html>Bad gateway</html>")
    assert len(message) <= 300
    assert fields == {}


def test_validation_user_message_names_the_fields():
    error = fabric.FabricValidationError(
        "Invalid input", field_errors={"endDate": ["must be after startDate"]}, status=400
    )
    assert error.user_message == "fabric rejected the values sent: endDate: must be after startDate"


def test_unavailable_says_when_a_change_may_have_happened():
    assert "may or may not" in fabric.FabricUnavailable(outcome_unknown=True).user_message
    assert fabric.FabricUnavailable().user_message.startswith("fabric could not be reached")
    assert "(503)" in fabric.FabricUnavailable(status=503).user_message
    assert "502" in fabric.FabricUnavailable(status=502).user_message
    assert fabric.FabricTimeout().user_message.startswith("Timed out:")
    assert "Wait 3 seconds" in fabric.FabricRateLimited(retry_after=2.5).user_message
    assert fabric.FabricRateLimited().user_message.startswith("Rate limited:")


def test_auth_error_says_the_credentials_were_rejected():
    assert fabric.FabricAuthError("nope").user_message.startswith("fabric credentials rejected")
