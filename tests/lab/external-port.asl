/*
 * An SSDT marking the PCIe root port at 00:04.0 as external-facing (a
 * Thunderbolt-style port): Linux reads the _DSD property
 * "ExternalFacingPort" = 1 on a root port (pci_acpi_set_external_facing)
 * and then sets pci_dev->untrusted on every device below it
 * (set_pcie_untrusted), which makes the IOMMU core force a DMA domain on
 * them and refuse identity. qemu never emits this property, so the lab adds
 * it through the ACPI table upgrade: vm-run --acpi-table (scenario ACPI).
 *
 * Boot with a root port in slot 4, e.g.
 *   --qemu-args "-device pcie-root-port,id=rp1,bus=pcie.0,addr=04.0,chassis=1
 *                -device e1000e,bus=rp1,addr=00.0"
 * qemu (q35, 7.2) names the slot's object \_SB.PCI0.S20 (S + 8 * slot in
 * hex) and gives it no _DSD, so a Scope can add one. The UUID is the
 * external-facing-port one the kernel accepts (drivers/acpi/property.c).
 */
DefinitionBlock ("", "SSDT", 2, "IOMMUW", "EXTPORT", 1)
{
    External (\_SB.PCI0.S20, DeviceObj)

    Scope (\_SB.PCI0.S20)
    {
        Name (_DSD, Package ()
        {
            ToUUID ("efcc06cc-73ac-4bc3-bff0-76143807c389"),
            Package ()
            {
                Package () { "ExternalFacingPort", 1 },
                Package () { "UID", 0 }
            }
        })
    }
}
