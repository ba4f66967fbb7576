"""What the gateway's aerator control loops tell the centre (no SQLAlchemy here: the gateway
imports it): an "aerator not working" problem raised or cleared, and its wire format
(:mod:`kolam.control.problems`)."""

from kolam.control.problems import (
    PROBLEM_FILTER,
    PROBLEMS,
    AeratorProblem,
    decode_problem,
    encode_problem,
    problem_topic,
)

__all__ = ["PROBLEMS", "PROBLEM_FILTER", "AeratorProblem", "decode_problem", "encode_problem",
           "problem_topic"]
