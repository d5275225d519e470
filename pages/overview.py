"""总览: how far along is the plan, by section and by unit."""

import streamlit as st

from lib import metrics, ui

data = ui.require_board()
as_of = ui.sidebar_as_of()
ui.sidebar_source(data)
snapshot = metrics.compute(data.book, as_of)

st.title("总览")
overall = snapshot.overall
cols = st.columns(3)
cols[0].metric("总体进度", f"{overall['progress']:.1f}%", f"{overall['change']:+.1f} 个百分点（较上期）")
cols[1].metric("任务数", overall["tasks"])
cols[2].metric("已完成", overall["done"])
st.bar_chart(snapshot.sections.set_index("label")["progress"])
st.bar_chart(snapshot.units.set_index("label")["progress"])
