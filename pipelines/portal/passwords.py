"""The password rules: Django's validators, saying what is wrong and what is asked in
the portal's words, in the reader's language. Django's own messages are gettext's, and
its Finnish catalogue has no "This password is too short…": a contact setting a
password in Finnish read it in English."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from pipelines.portal.texts import t


class Worded:
    """A validator of Django's whose refusal and rule are texts of `portal.yaml`: the
    refusal keyed by Django's own error code, the rule by `rule`."""

    rule: str

    def words(self) -> dict[str, object]:
        return {}

    def validate(self, password: str, user: Any = None) -> None:
        try:
            super().validate(password, user)  # type: ignore[misc]
        except ValidationError as exc:
            raise ValidationError(t(str(exc.code), **self.words()), code=exc.code) from None

    def get_help_text(self) -> str:
        return t(self.rule, **self.words())


class MinimumLength(Worded, password_validation.MinimumLengthValidator):
    rule = "password_rule_length"

    def words(self) -> dict[str, object]:
        return {"n": self.min_length}


class Common(Worded, password_validation.CommonPasswordValidator):
    rule = "password_rule_common"


class NotLikeTheAddress(Worded, password_validation.UserAttributeSimilarityValidator):
    rule = "password_rule_similar"
