"""Language pipeline pieces shared by the NLU model and the safety tooling."""
