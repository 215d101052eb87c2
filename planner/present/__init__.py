"""Presentation: maps, reports, exports, spreadsheets and the words a planner reads (zh/en)."""
