"""防返贫动态监测 (issue 25, domain.md#workflow-monitoring, R25–R27): leads (线索) from households,
cadres, agencies and the R16 rule; the monitoring record through the review chain (认定, then 风险消除);
deadlines on working days; measures linked to the risk. Rules are pure (rules.py), writes in
services/, reads in selectors.py."""
