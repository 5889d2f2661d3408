"""What a work order (投诉 / 报修) can be about, and how it came in.

Each category says whether an owner is involved, which decides whether closing it needs a
callback (回访): a repair inside a household always does, a public-area repair only when someone
reported it (then the caller is called back). Every complaint has a complainant to call back.
The words are in the catalog (`category.<code>`, `channel.<code>`).
"""

# code → owner involved
COMPLAINT_CATEGORIES = {
    "service": True,        # 服务态度 / 服务质量
    "environment": True,    # 环境卫生 / 绿化
    "security": True,       # 秩序安全 / 车辆停放
    "noise": True,          # 噪音 / 邻里纠纷
    "fees": True,           # 收费
    "other_complaint": True,
}
REPAIR_CATEGORIES = {
    "unit_plumbing": True,     # 户内水电
    "unit_doors_windows": True,  # 户内门窗
    "unit_leak": True,         # 户内渗漏 / 墙面
    "public_area": False,      # 公共区域设施
    "lift": False,             # 电梯
    "other_repair": True,
}
CATEGORIES = {"complaint": COMPLAINT_CATEGORIES, "repair": REPAIR_CATEGORIES}

CHANNELS = ("phone", "front_desk", "patrol", "online")
