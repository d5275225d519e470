"""Placeholder until its issue lands."""

import streamlit as st

st.info("本页面正在建设中。")
