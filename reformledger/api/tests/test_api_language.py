"""Errors in the language the request asks for, and a schema that tells a client how
to sign in and which role may do what."""

import pytest
from django.test import Client

from reformledger.accounts import services as accounts

PLAN_BODY = {
    "summary": "两步走",
    "milestones": [{"title": "出台方案", "planned_date": "2016-05-31", "weight": 100}],
}


@pytest.fixture
def token_client(world):
    """`token_client(user, language)`: another system calling with the user's token
    (elevated, as made in a session verified with the second factor, so a leader's
    token may decide)."""

    def make(user, language: str) -> Client:
        _token, raw = accounts.token_create(
            by=user, name="语言测试", elevated=True, second_factor_verified=True
        )
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE=language)

    return make


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "en",
            {
                400: "A whole number is required.",
                403: "You do not have permission to perform this action.",
                404: "Not found.",
            },
        ),
        ("zh-Hans", {400: "须为整数。", 403: "您没有执行该操作的权限。", 404: "未找到。"}),
    ],
)
def test_errors_speak_the_language_asked_for(world, huiyang_liaison, token_client, language, words):
    client = token_client(huiyang_liaison, language)
    bad = client.get("/api/v1/tasks/", {"page_size": "many"})
    assert bad.status_code == 400 and bad.json() == {"page_size": [words[400]]}
    # The helping unit's liaison may not write the lead unit's plan.
    refused = client.post(
        f"/api/v1/tasks/{world.task_helped.pk}/plan/", PLAN_BODY, content_type="application/json"
    )
    assert refused.status_code == 403 and refused.json() == {"detail": words[403]}
    # 博罗's task does not exist for 惠阳 (Django's get_object_or_404), nor does a row
    # that is nowhere.
    for url in (f"/api/v1/tasks/{world.task_boluo.pk}/", "/api/v1/periods/999999/"):
        missing = client.get(url)
        assert missing.status_code == 404 and missing.json() == {"detail": words[404]}, url


def test_a_field_error_of_a_service_speaks_the_language_too(world, director, token_client):
    from reformledger.ledger import services
    from reformledger.ledger.models import Rating

    june = services.periods_ensure(office=world.office, year=2016)[5]
    services.ratings_compute_period(period=june)
    rating = Rating.objects.get(task=world.task_huiyang)
    foreign = services.scale_for(world.office, 2017).grades.first()  # another year's scale
    body = {"grade": foreign.pk, "reason": "实地核查"}
    for language, words in (
        ("en", "Choose a grade of this rating's scale."),
        ("zh-Hans", "请选择本评价标准中的等级。"),
    ):
        response = token_client(director, language).post(
            f"/api/v1/ratings/{rating.pk}/override/", body, content_type="application/json"
        )
        assert response.status_code == 400 and response.json() == {"grade": [words]}


def test_the_schema_says_how_to_sign_in_and_who_may_do_what(world, office_staff, client_for):
    schema = client_for(office_staff).get("/api/schema/", {"format": "json"}).json()
    guide = schema["info"]["description"]
    for words in ("POST /api/v1/tokens/", "Authorization: Bearer <token>", "X-CSRFToken"):
        assert words in guide
    assert "`csrftoken` cookie" in guide
    tags = {t["name"]: t["description"] for t in schema["tags"]}
    assert "| close (freeze) | office leaders" in tags["periods"]
    assert "| confirm, override (with a reason) | office leaders" in tags["ratings"]
    assert "| sign | the head" in tags["closings"]
    assert {"tasks", "plans", "reports", "periods", "rating-scales", "reform-areas"} <= set(tags)
    tasks = schema["paths"]["/api/v1/tasks/"]["get"]
    assert tasks["tags"] == ["tasks"]
    params = {p["name"]: p for p in tasks["parameters"]}
    assert params["rating"]["schema"]["type"] == "array"
    assert "`none`" in params["rating"]["description"]
    for name in ("rating", "status", "year", "area", "q"):
        assert "Empty: a 400" in params[name]["description"], name
    assert params["q"]["schema"]["minLength"] == 1
    row = schema["components"]["schemas"]["Task"]["properties"]
    assert {"latest_rating", "progress"} <= set(row)
    for path in (
        "/api/v1/periods/",
        "/api/v1/periods/setup/",
        "/api/v1/periods/{id}/close/",
        "/api/v1/periods/{id}/compute-ratings/",
        "/api/v1/rating-scales/",
        "/api/v1/reform-areas/",
        "/api/v1/reform-systems/",
    ):
        assert path in schema["paths"], path
