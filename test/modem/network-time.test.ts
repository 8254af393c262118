import { describe, expect, it } from "vitest";
import { parseCclk } from "../../firmware/modem/network-time.js";

describe("parseCclk (AT+CCLK? network time)", () => {
  it("turns local time and its quarter-hour offset into UTC", () => {
    expect(parseCclk("26/11/23,08:00:05+32")).toBe(Date.UTC(2026, 10, 23, 0, 0, 5));
    expect(parseCclk("26/11/23,00:30:00-20")).toBe(Date.UTC(2026, 10, 23, 5, 30, 0));
    expect(parseCclk("28/02/29,23:59:59+00")).toBe(Date.UTC(2028, 1, 29, 23, 59, 59));
    expect(parseCclk("25/01/01,01:00:00+04")).toBe(Date.UTC(2025, 0, 1, 0, 0, 0));
  });

  it("agrees with Date.UTC across years, months and zones", () => {
    for (let y = 24; y <= 40; y += 3) {
      for (let m = 1; m <= 12; m += 1) {
        const text = `${y}/${String(m).padStart(2, "0")}/28,13:45:30+08`;
        expect(parseCclk(text)).toBe(Date.UTC(2000 + y, m - 1, 28, 11, 45, 30));
      }
    }
  });

  it("refuses a clock the network has not set, and malformed values", () => {
    expect(parseCclk("80/01/06,00:00:12+00")).toBe(-1); // GPS epoch default, 1980
    expect(parseCclk("70/01/01,00:00:00+00")).toBe(-1);
    expect(parseCclk("00/01/01,00:00:12+00")).toBe(-1);
    expect(parseCclk("26/13/01,00:00:00+00")).toBe(-1);
    expect(parseCclk("26/11/23 08:00:05+32")).toBe(-1);
    expect(parseCclk("26/11/23,08:00:05*32")).toBe(-1);
    expect(parseCclk("26/11/23,08:00")).toBe(-1);
    expect(parseCclk("")).toBe(-1);
  });
});
