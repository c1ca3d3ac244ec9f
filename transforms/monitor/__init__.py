"""Monitoring: key figures per period and the management report.

- ``kpis``: figures and inventory rows for a period;
- ``report``: the monitoring report (HTML, PDF, charts, kpis.json).
"""
