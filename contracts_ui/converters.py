"""URL path converters for fabric identifiers: a malformed id is a 404 at the resolver, before
any view, fabric call or audit record sees it."""


class FabricAccountIdConverter:
    """A fabric account id: 24 letters or digits, as Copilot shows it."""

    regex = "[A-Za-z0-9]{24}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class FabricRecordIdConverter(FabricAccountIdConverter):
    """A record's `_id` or a contract's `contractId`: free text, but no control characters."""

    regex = r"[^/\x00-\x1f\x7f]{1,128}"
