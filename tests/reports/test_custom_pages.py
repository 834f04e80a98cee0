"""Custom pages sit in the admin frame (breadcrumbs, title, way back) and offer only what the role
may do: the city's export form lists the one ledger the city may export."""

import pytest

pytestmark = pytest.mark.django_db

PAGES = {
    "/admin/reports/exportjob/ledgers/": ("导出台账", "台账导出任务"),
    "/admin/households/importbatch/upload/": ("导入建档立卡户", None),
    "/admin/programs/parameter/villages/": ("贫困村退出指标", "政策参数"),
}


@pytest.mark.parametrize("url", list(PAGES))
def test_custom_page_has_breadcrumbs_title_and_back_link(client, county_admin, clerk_a, url):
    title, parent = PAGES[url]
    client.force_login(clerk_a if "importbatch" in url else county_admin)
    body = client.get(url).content.decode()
    head = body[body.index('class="fupin-page-head"') :]
    assert '<a href="/admin/" target="_top">首页</a>' in head
    assert f"<h1>{title}" in head
    if parent:
        assert f"返回{parent}" in head


def test_city_export_form_offers_only_the_ledger_the_city_may_export(client, city_supervisor, county_admin):
    client.force_login(city_supervisor)
    form = client.get("/admin/reports/exportjob/ledgers/").context["form"]
    assert [key for key, _ in form.fields["ledger"].choices] == ["village_summary"]
    client.force_login(county_admin)
    form = client.get("/admin/reports/exportjob/ledgers/").context["form"]
    assert len(form.fields["ledger"].choices) > 10
