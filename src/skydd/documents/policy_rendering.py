"""Placeholder renderer; replaced by the Jinja2 + Babel policy renderer."""

from __future__ import annotations

from markdown_it import MarkdownIt

from skydd.domain.register import Register
from skydd.domain.schema import text_in


class PolicyRendering:
    """Renders the policy of a register as Markdown or HTML."""

    def render(self, register: Register, language: str, fmt: str) -> str:
        """The policy in ``language`` and ``fmt``."""
        org = register.organisation
        lines = [f"# {org.name}", ""]
        lines += [
            f"## {text_in(p.name, language, org.default_language)}" for p in register.purposes
        ]
        markdown = "\n".join(lines) + "\n"
        return MarkdownIt().render(markdown) if fmt == "html" else markdown
