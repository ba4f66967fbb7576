"""Grow-out records turned into numbers: the KPIs (``kpi``, ``growth``, ``water``), the
monthly report (``monthly``), a trainee's skill record (``skills``), the bounds of what a
person types (``bounds``) and the demo's fictional records (``demo_data``)."""
