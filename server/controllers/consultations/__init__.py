"""Consultations, case studies, questionnaires and their responses: residents' pages and officers'."""
