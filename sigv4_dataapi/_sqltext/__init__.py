"""Shared SQL text helpers: quote- and comment-aware lexing for each dialect."""

from __future__ import annotations

from sigv4_dataapi._sqltext.lexer import (
    Dialect,
    ScanState,
    Statement,
    Token,
    is_complete,
    scan,
    split_statements,
    tokenize,
)
from sigv4_dataapi._sqltext.parameters import (
    Hazard,
    Parameter,
    find_parameters,
    parameter_hazards,
    placeholder_names,
    placeholders_and_hazards,
)
from sigv4_dataapi._sqltext.transactions import TransactionControl, transaction_control

__all__ = [
    "Dialect",
    "Hazard",
    "Parameter",
    "ScanState",
    "Statement",
    "Token",
    "TransactionControl",
    "find_parameters",
    "is_complete",
    "parameter_hazards",
    "placeholder_names",
    "placeholders_and_hazards",
    "scan",
    "split_statements",
    "tokenize",
    "transaction_control",
]
