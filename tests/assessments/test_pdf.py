"""The acknowledged assessment as a PDF, opened with poppler: the Chinese set in an embedded
CJK font, the scores and the figures behind the suggestions printed, and the printed
verification code recomputed from the data attached to the file."""

import hashlib
import json
import re
import subprocess

import rfc8785

from tests.assessments.test_workflow import full_marks, open_draft
from tests.pdf.conftest import read_pdf  # noqa: F401  (shared fixture)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_sealed_assessment_pdf_prints_figures_and_a_code_that_verifies(
        client, team, build_month, read_pdf, tmp_path):  # noqa: F811
    build_month(2026, 10, [day for day in range(1, 32) if day != 7], returned_days=(2,))
    draft = open_draft(client, team).get_json()
    url = f"/api/assessments/{draft['id']}"
    headers = team["headers"]["supervisor"]
    response = client.patch(url, headers=headers, json={
        "scores": {**full_marks(), "attendance": 4, "training": 6},
        "reasons": {"attendance": "10月7日未做钥匙核对，也未安排替班"},
        "penalty": 1, "penalty_reason": "钥匙借出登记漏签一次", "comment": "细心些"})
    assert response.status_code == 200, response.get_json()
    assert client.get(f"{url}/pdf", headers=headers).get_json()["error"]["code"] == (
        "assessment.not_sealed")
    client.post(f"{url}/submit", headers=headers)
    client.post(f"{url}/acknowledge", json={"remark": "认可"}, headers=team["headers"]["keeper"])

    response = client.get(f"{url}/pdf", headers=team["headers"]["keeper"])
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    pdf = read_pdf(response.data)
    text = _squash(pdf["text"])
    code = client.get(url, headers=headers).get_json()["verification"]["code"]
    # 100 − 1 (attendance) − 1.5 (training) − 1 penalty
    for expected in ("员工月绩效考核登记表", "滨河湾", "李娜", "王主管", "2026-10", "思想道德",
                     "工作出勤", "完成30/31项应做巡查", "退回1/30条记录",
                     "本月没有到期的整改，无建议分", "10月7日未做钥匙核对，也未安排替班",
                     "钥匙借出登记漏签一次", "-1", "96.5/100", "细心些", "认可",
                     "防篡改校验码", code, "校验通过", "保存期限至2028-10"):
        assert expected in text, expected
    for word in ("hash", "seal", "SHA", "封存"):
        assert word not in pdf["text"], word
    fonts = [line.split() for line in pdf["fonts"].splitlines()[2:]]
    assert len(fonts) == 1 and "Noto-Sans-CJK-SC" in fonts[0][0], pdf["fonts"]
    assert fonts[0][-5] == "yes", pdf["fonts"]  # embedded
    assert pdf["pages"] == 1

    # The attached JSON, hashed in its canonical form, gives the printed code: anyone can check
    # the paper without the server.
    subprocess.run(["pdfdetach", "-saveall", "-o", str(tmp_path), str(pdf["path"])], check=True)
    attached = json.loads((tmp_path / f"assessment-{draft['id']}.json").read_text("utf-8"))
    printed = attached.pop("seal")["hash"]
    assert printed == code
    assert hashlib.sha256(rfc8785.dumps(attached)).hexdigest() == code
    assert attached["scores"]["training"] == 6 and attached["total"] == 96.5

    english = read_pdf(client.get(f"{url}/pdf?lang=en", headers=headers).data)
    for expected in ("Monthly staff assessment", "Binhe Bay", "Verification code",
                     "30 of 31 inspections due were done", "Verified"):
        assert expected in english["raw_text"].replace("\n", " "), expected
