"""Writes of 防返贫监测: leads, visits (入户核实, 回访), records through the chain, measures."""
