"""services.Rejected: fabric's validation messages land at the form fields they name."""

from contracts_ui import fabric, services


def test_fabrics_field_errors_go_to_the_forms_fields_and_the_rest_above_it():
    error = fabric.FabricValidationError(
        "bad", field_errors={"endDate": ["must be later"], "regionCode": ["unknown"]}, status=400
    )
    rejected = services.Rejected.from_fabric(error, {"start_date": 1, "end_date": 1})
    assert rejected.errors == {"end_date": ["fabric: must be later"], None: ["fabric: unknown"]}
    assert rejected.status == 422


def test_a_refusal_without_details_shows_fabrics_message():
    error = fabric.FabricValidationError("status is invalid", status=400)
    assert services.Rejected.from_fabric(error, {}).errors == {None: ["fabric: status is invalid"]}
