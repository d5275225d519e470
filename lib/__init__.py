"""落实看板: the plan-implementation progress board's logic, free of Streamlit."""
