from rest_framework.routers import SimpleRouter

from assistance.api import bank, views
from assistance.monitoring import api as monitoring

app_name = "assistance_api"

router = SimpleRouter()
router.register("dibao-cases", views.DibaoCaseViewSet, basename="dibao-case")
router.register("phase-outs", views.PhaseOutViewSet, basename="phase-out")
router.register("stop-proposals", views.StopProposalViewSet, basename="stop-proposal")
router.register("payment-rolls", views.PaymentRollViewSet, basename="payment-roll")
router.register("payment-lines", views.PaymentLineViewSet, basename="payment-line")
router.register("bank-layouts", bank.BankLayoutViewSet, basename="bank-layout")
router.register("bank-batches", bank.BankBatchViewSet, basename="bank-batch")
router.register("bank-lines", bank.BankLineViewSet, basename="bank-line")
router.register("bank-returns", bank.BankReturnViewSet, basename="bank-return")
router.register("payment-failures", bank.PaymentFailureViewSet, basename="payment-failure")
router.register("household-payments", bank.HouseholdPaymentsViewSet, basename="household-payments")
router.register("ledger-entries", views.LedgerEntryViewSet, basename="ledger-entry")
router.register("alerts", views.AlertViewSet, basename="alert")
router.register("tekun-cases", views.TekunCaseViewSet, basename="tekun-case")
router.register("disability-subsidies", views.DisabilitySubsidyViewSet, basename="disability-subsidy")
router.register("medical-bills", views.MedicalBillViewSet, basename="medical-bill")
router.register("measure-gaps", views.MeasureGapViewSet, basename="measure-gap")
router.register("measures", views.MeasureViewSet, basename="measure")
router.register("monitoring/leads", monitoring.LeadViewSet, basename="monitoring-lead")
router.register("monitoring/records", monitoring.RecordViewSet, basename="monitoring-record")

urlpatterns = router.urls
