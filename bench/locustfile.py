"""Locust users for `python -m bench load`: logged-in HR officers and the public
walking the real screens. The unit and cycle ids come from the environment
(LOAD_UNIT_PK, LOAD_CYCLE_PK); the login from LOAD_USER / LOAD_PASSWORD."""

from __future__ import annotations

import os
import random
import re

from locust import HttpUser, between, task

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
UNIT = os.environ.get("LOAD_UNIT_PK", "1")
CYCLE = os.environ.get("LOAD_CYCLE_PK", "")
SUBUNIT = os.environ.get("LOAD_SUBUNIT_CODE", "P01-SNV")
NAMES = ["Nguyễn", "Trần Thị", "Lê Văn", "Phạm", "Hoàng Minh", "Hương", "Tuấn"]


class Officer(HttpUser):
    """An HR officer of the province: lists, filters, dashboards, reports."""

    weight = 4
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        page = self.client.get("/accounts/login/", name="login form")
        token = CSRF.search(page.text)
        response = self.client.post(
            "/accounts/login/",
            {
                "username": os.environ.get("LOAD_USER", "admin"),
                "password": os.environ.get("LOAD_PASSWORD", "demo-admin-2026"),
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": self.host + "/accounts/login/"},
            name="login",
            allow_redirects=False,
        )
        if response.status_code != 302:
            response.failure(f"login answered {response.status_code}")

    @task(4)
    def staff_list(self) -> None:
        page = random.randint(1, 20)
        self.client.get(f"/staff/?page={page}", name="staff list")

    @task(4)
    def staff_search(self) -> None:
        self.client.get(
            "/staff/",
            params={"q": random.choice(NAMES), "staff_type": "cong_chuc"},
            name="staff list, filtered",
        )

    @task(2)
    def staff_in_unit(self) -> None:
        self.client.get("/staff/", params={"unit": SUBUNIT}, name="staff list, by unit")

    @task(3)
    def unit_dashboard(self) -> None:
        self.client.get(f"/org/units/{UNIT}/", name="unit dashboard")

    @task(2)
    def establishment(self) -> None:
        self.client.get("/org/establishment/", name="establishment report")

    @task(3)
    def dossier_list(self) -> None:
        page = random.randint(1, 20)
        self.client.get(f"/one-stop/dossiers/?page={page}", name="dossier list")

    @task(1)
    def indicators(self) -> None:
        self.client.get("/one-stop/indicators/", name="one-stop indicators")

    @task(2)
    def cycle(self) -> None:
        if CYCLE:
            self.client.get(f"/appraisals/cycles/{CYCLE}/", name="appraisal cycle")


class Citizen(HttpUser):
    """Anyone on the public disclosure pages."""

    weight = 1
    wait_time = between(0.5, 1.5)

    @task
    def recruitment(self) -> None:
        self.client.get("/public/recruitment/", name="public recruitment")
