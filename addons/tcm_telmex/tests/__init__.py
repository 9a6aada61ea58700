"""Tests of tcm_telmex (run with the project test command; fixtures from server.testing)."""
