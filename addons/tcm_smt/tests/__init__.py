"""Tests of tcm_smt (run with the project test command; fixtures from server.testing)."""
