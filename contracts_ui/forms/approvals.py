"""Forms of the approval workflow: the reason a change under the account's policy needs, and
a decision's comment."""

from django import forms

MAX_TEXT = 2000


class ReasonField(forms.CharField):
    """Why a change is needed, for the editor who will approve it. Checked by the service
    (approvals.py), which alone knows whether this change waits for approval."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault(
            "help_text",
            "This account's policy has a second editor approve this change: say why it is needed.",
        )
        super().__init__(
            label="Reason for the approver",
            required=False,
            max_length=MAX_TEXT,
            widget=forms.Textarea(attrs={"rows": 2}),
            **kwargs,
        )


class ReasonForm(forms.Form):
    """The reason given with a soft delete or a bulk job under the policy."""

    reason = ReasonField()


class DecisionForm(forms.Form):
    """An approver's comment: optional when approving, required when rejecting (approvals.py)."""

    comment = forms.CharField(
        label="Comment",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Seen by the proposer and kept in the audit log. Required to reject.",
    )
