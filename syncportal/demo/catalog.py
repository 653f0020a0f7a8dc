"""The demo store's catalogue (a hardware and garden store), its tax codes and customer types.

Inventory items start with ``opening_stock()`` units; the demo sales take units off and restocked
returns put them back, so ``quantity_on_hand = opening_stock - sold + restocked`` for every item.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

INVENTORY, NON_INVENTORY, SERVICE = "inventory", "non_inventory", "service"
CUSTOMER_TYPES = ("Retail", "Wholesale", "Contractor", "Non-profit")


@dataclass(frozen=True)
class CatalogItem:
    name: str
    sku: str
    kind: str
    category: str
    price: Decimal
    taxable: bool = True
    base_stock: int = 0  # opening units per 25 demo customers (inventory items only)


def _item(name, sku, kind, category, price, base_stock=0, taxable=True) -> CatalogItem:
    return CatalogItem(
        name, sku, kind, category, Decimal(price), taxable, base_stock if kind == INVENTORY else 0
    )


CATALOG: tuple[CatalogItem, ...] = (
    _item("Claw hammer, 16 oz", "HW-1001", INVENTORY, "Hand tools", "18.99", 60),
    _item("Cordless drill, 20 V", "HW-1002", INVENTORY, "Power tools", "129.00", 25),
    _item("Drill bit set, 29 pc", "HW-1003", INVENTORY, "Power tools", "34.50", 40),
    _item("Tape measure, 25 ft", "HW-1004", INVENTORY, "Hand tools", "12.49", 80),
    _item("Utility knife", "HW-1005", INVENTORY, "Hand tools", "8.99", 90),
    _item("Deck screws, 5 lb box", "HW-2001", INVENTORY, "Fasteners", "42.75", 70),
    _item("Wood screws #8 x 1-1/4 in, 100 pc", "HW-2002", INVENTORY, "Fasteners", "6.49", 150),
    _item("Drywall anchors, 50 pc", "HW-2003", INVENTORY, "Fasteners", "7.25", 120),
    _item("Framing nails 16d, 5 lb", "HW-2004", INVENTORY, "Fasteners", "14.99", 90),
    _item("Interior paint, eggshell, 1 gal", "PT-3001", INVENTORY, "Paint", "38.99", 80),
    _item("Exterior paint, satin, 1 gal", "PT-3002", INVENTORY, "Paint", "44.99", 70),
    _item("Primer, 1 gal", "PT-3003", INVENTORY, "Paint", "24.99", 60),
    _item("Paint roller kit", "PT-3004", INVENTORY, "Paint", "15.49", 70),
    _item("Painter's tape, 1.88 in", "PT-3005", INVENTORY, "Paint", "6.99", 150),
    _item("PVC pipe 1/2 in x 10 ft", "PL-4001", INVENTORY, "Plumbing", "5.79", 120),
    _item("Copper elbow 1/2 in", "PL-4002", INVENTORY, "Plumbing", "2.35", 200),
    _item("Kitchen faucet, brushed nickel", "PL-4003", INVENTORY, "Plumbing", "149.00", 15),
    _item("Wax ring with bolts", "PL-4004", INVENTORY, "Plumbing", "6.98", 60),
    _item("LED bulb A19, 4 pack", "EL-5001", INVENTORY, "Electrical", "11.97", 150),
    _item("Extension cord, 50 ft", "EL-5002", INVENTORY, "Electrical", "32.00", 40),
    _item("Outlet, tamper resistant", "EL-5003", INVENTORY, "Electrical", "3.48", 150),
    _item("Potting soil, 2 cu ft", "GD-6001", INVENTORY, "Garden", "12.99", 120),
    _item("Mulch, 2 cu ft bag", "GD-6002", INVENTORY, "Garden", "4.97", 200),
    _item("Garden hose, 5/8 in x 50 ft", "GD-6003", INVENTORY, "Garden", "29.99", 40),
    _item("Pruning shears", "GD-6004", INVENTORY, "Garden", "22.49", 45),
    _item("Tomato plant, 1 gal", "GD-6005", INVENTORY, "Garden", "5.98", 110),
    _item("Lumber 2x4x8 ft", "LB-7001", INVENTORY, "Lumber", "4.28", 300),
    _item("Plywood 3/4 in 4x8", "LB-7002", INVENTORY, "Lumber", "58.50", 60),
    _item("Special order: custom door", "SO-8001", NON_INVENTORY, "Special order", "640.00"),
    _item("Special order: cabinet hardware", "SO-8002", NON_INVENTORY, "Special order", "85.00"),
    _item("Gift wrap", "MS-8101", NON_INVENTORY, "Misc", "3.00"),
    _item("Propane tank exchange", "MS-8102", NON_INVENTORY, "Misc", "24.99"),
    _item("Key cutting", "SV-9001", SERVICE, "Services", "3.50", taxable=False),
    _item("Paint color matching", "SV-9002", SERVICE, "Services", "0.00", taxable=False),
    _item("Local delivery", "SV-9003", SERVICE, "Delivery", "49.00", taxable=False),
    _item("Installation labor, per hour", "SV-9004", SERVICE, "Labor", "85.00", taxable=False),
    _item("Tool rental, per day", "SV-9005", SERVICE, "Rental", "35.00"),
    _item("Screen repair", "SV-9006", SERVICE, "Services", "28.00", taxable=False),
)
BY_SKU = {item.sku: item for item in CATALOG}


def opening_stock(sku: str, customers: int) -> Decimal:
    """Units an inventory item starts with for a demo of ``customers`` customers (0 for the others)."""
    return Decimal(BY_SKU[sku].base_stock * max(1, -(-customers // 25)))


@dataclass(frozen=True)
class DemoTaxCode:
    name: str
    description: str
    rate: Decimal


# The tax area of a customer's billing city (names.CITIES) picks the code of a sale.
TAX_CODES = {
    "CA": DemoTaxCode("CA Sales Tax", "California statewide base rate plus district tax", Decimal("8.25")),
    "LA": DemoTaxCode("Los Angeles County", "Los Angeles County combined rate", Decimal("9.50")),
    "OUT": DemoTaxCode("Out of state", "Shipped out of state: no California tax", Decimal("0")),
    "EXEMPT": DemoTaxCode("Tax exempt", "Customer holds a resale or exemption certificate", Decimal("0")),
}
