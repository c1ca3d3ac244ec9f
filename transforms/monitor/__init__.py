"""Monitoring: key figures per period and the management report (see docs/monitoring.md).

- ``kpis``: figures and inventory rows for a period;
- ``impact``: the impact rank of each system, with its reason (quick wins first);
- ``literacy``: AI-literacy coverage per department and role, who lacks it, trend;
- ``checklist``: the path at a glance (six steps, each niet gestart / op weg / op orde);
- ``changes``: what changed since the previous period;
- ``report``, ``charts``, ``dutch``, ``pdf``: the report as one HTML document printed with WeasyPrint.
"""
