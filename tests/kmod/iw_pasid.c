// SPDX-License-Identifier: GPL-2.0
/*
 * iw_pasid - drive the IOMMU core's PASID paths for iommuwatch's lab tests.
 *
 * No emulated device has a PASID capability and nothing in a stock kernel
 * attaches a PASID by itself, so this module does what in-kernel users
 * (idxd, SVA, iommufd) do, on command, for one PCI device taken by BDF
 * (no driver binding needed):
 *
 *   insmod iw_pasid.ko bdf=0000:00:03.0 [max_pasids=256]
 *
 * Commands, one per write to /sys/module/iw_pasid/parameters/cmd:
 *
 *   alloc                  iommu_paging_domain_alloc(dev); logs the index
 *                          DOM (0..IW_MAX_DOMS-1) of the new domain
 *   attach PASID [DOM]     iommu_attach_device_pasid(dom, dev, PASID, NULL)
 *   attach-identity PASID  the same with the driver's identity domain
 *                          (7.3 accepts it, 6.12 returns -EINVAL)
 *   replace PASID [DOM]    iommu_replace_device_pasid(dom, dev, PASID, NULL):
 *                          PASID moves to DOM (6.13 and later; before:
 *                          -EOPNOTSUPP)
 *   detach PASID           iommu_detach_device_pasid with the domain the
 *                          module attached at PASID
 *   free [DOM]             iommu_domain_free; -EBUSY while DOM is attached
 *                          to a PASID of a device that is still present,
 *                          or to its RID
 *   attach-rid [DOM]       iommu_attach_device(dom, dev): the whole
 *                          (singleton) group moves to DOM
 *   detach-rid             iommu_detach_device: back to the default domain
 *   free-in-use [DOM]      iommu_domain_free of DOM while the RID is still
 *                          on it: the bug domain_freed_in_use exists for.
 *                          The Intel driver WARNs and keeps the domain's
 *                          memory (its device list is not empty), so a
 *                          later detach-rid still works
 *
 * Two commands act as a buggy in-kernel user, for the rules that catch one:
 *
 *   raw-reattach           the driver's attach_dev op called directly, not
 *                          through the core (no group mutex), re-attaching
 *                          the domain the RID is on but passing old NULL, as
 *                          for a device never attached: old_domain_mismatch.
 *                          Translation is unchanged. 6.19 and later (the
 *                          op's old argument); before: -EOPNOTSUPP
 *   clear-require-direct   dev->iommu->require_direct = 0, as out-of-tree
 *                          modules do to let VFIO take a device with RMRRs:
 *                          require_direct_changed. Restored on unload
 *
 * Two more call the PCI core's reset fence (7.0 and later; before:
 * -EOPNOTSUPP) without resetting anything, as a reset path does around its
 * reset (nested, as cxl_reset_bus_function nests pci_reset_bus_function):
 *
 *   reset-prepare          pci_dev_reset_iommu_prepare(pdev)
 *   reset-done             pci_dev_reset_iommu_done(pdev); unload calls it
 *                          for every prepare still open
 *
 * With them the buggy users: raw-reattach between the two
 * (attach_during_reset), a done with none open or the device removed
 * between the two (reset_unbalanced), and one that changes its domain
 * under the fence so that done cannot put the RID back on it:
 *
 *   break-domain [DOM]     DOM asks for dirty tracking (dirty_ops set,
 *                          ops that are never called) on an IOMMU that
 *                          has none: the driver refuses every attach of
 *                          it with -EINVAL (reset_left_blocked at done)
 *   mend-domain [DOM]      clears it again; unload does too
 *
 * DOM defaults to 0. Each command logs "iw_pasid: CMD: RESULT" and a failed
 * command fails the write with its error code, so `echo attach 1 > cmd`
 * fails visibly. Reading cmd lists the domains and attachments.
 *
 * The device has no PASID capability, so dev->iommu->max_pasids is 0 and
 * the core would skip the driver's set_dev_pasid: the module raises it at
 * load time (only if it is 0) and restores it on unload.
 *
 * Removing the device (echo 1 > /sys/bus/pci/devices/BDF/remove) while a
 * PASID is attached is allowed: the module keeps its reference to the
 * pci_dev, and later drops the attachments it can no longer detach.
 * rmmod detaches what is attached, frees what was allocated and puts the
 * device.
 *
 * One version #if: iommu_replace_device_pasid exists from 6.13 on, exported
 * for IOMMUFD only and declared in the core's private header, so the module
 * declares it and imports the namespace. The other calls have the same C
 * interface in 6.12 and 7.3 (7.3 makes iommu_paging_domain_alloc an inline
 * over ..._alloc_flags).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/version.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define IW_HAVE_REPLACE 1
/* drivers/iommu/iommu-priv.h, not in the headers package. */
int iommu_replace_device_pasid(struct iommu_domain *domain,
			       struct device *dev, ioasid_t pasid,
			       struct iommu_attach_handle *handle);
MODULE_IMPORT_NS("IOMMUFD_INTERNAL");
#else
#define IW_HAVE_REPLACE 0
#endif

/* attach_dev(domain, dev, old): "iommu: Pass in old domain to attach_dev". */
#define IW_HAVE_ATTACH_OLD (LINUX_VERSION_CODE >= KERNEL_VERSION(6, 19, 0))
#define IW_HAVE_RESET_FENCE (LINUX_VERSION_CODE >= KERNEL_VERSION(7, 0, 0))

#define IW_MAX_DOMS	4
#define IW_MAX_ATTACH	8
/* Attachment of the driver's identity domain, not one of ours. */
#define IW_IDENTITY	-1

struct iw_attach {
	bool used;
	ioasid_t pasid;
	int idx;		/* index into doms[] or IW_IDENTITY */
	struct iommu_domain *dom;
	/* As iommufd does: replace wants one, and a new one each time. */
	struct iommu_attach_handle *handle;
};

static char *bdf;
module_param(bdf, charp, 0444);
MODULE_PARM_DESC(bdf, "PCI device as DOMAIN:BUS:SLOT.FUNC, e.g. 0000:00:03.0");

static unsigned int max_pasids = 256;
module_param(max_pasids, uint, 0444);
MODULE_PARM_DESC(max_pasids, "dev->iommu->max_pasids to set when it is 0");

static DEFINE_MUTEX(iw_lock);
static struct pci_dev *iw_pdev;
static u32 iw_saved_max_pasids;
static bool iw_set_max_pasids;
static struct iommu_domain *doms[IW_MAX_DOMS];
static struct iw_attach attaches[IW_MAX_ATTACH];
/* Domain the RID was moved to by attach-rid, -1: the default domain. */
static int iw_rid_dom = -1;
/* free-in-use freed it: only detach-rid may still name it, once. */
static bool iw_rid_dom_freed;
/* clear-require-direct cleared the flag: unload sets it again. */
static bool iw_cleared_require_direct;
/* reset-prepare calls not yet matched by a reset-done. */
static unsigned int iw_resets_open;

static struct device *iw_dev(void)
{
	return &iw_pdev->dev;
}

/* After pci remove the device has left its group and lost dev->iommu. */
static bool iw_dev_present(void)
{
	return device_iommu_mapped(iw_dev()) && iw_dev()->iommu;
}

static struct iw_attach *iw_find_attach(ioasid_t pasid)
{
	int i;

	for (i = 0; i < IW_MAX_ATTACH; i++)
		if (attaches[i].used && attaches[i].pasid == pasid)
			return &attaches[i];
	return NULL;
}

static struct iw_attach *iw_free_attach(void)
{
	int i;

	for (i = 0; i < IW_MAX_ATTACH; i++)
		if (!attaches[i].used)
			return &attaches[i];
	return NULL;
}

static bool iw_dom_attached(int idx)
{
	int i;

	for (i = 0; i < IW_MAX_ATTACH; i++)
		if (attaches[i].used && attaches[i].idx == idx)
			return true;
	return false;
}

/* The domain a command names, or domain 0 when it names none (nargs 0). */
static int iw_get_dom(const char *verb, int nargs, unsigned int idx,
		      struct iommu_domain **dom)
{
	if (nargs < 1)
		idx = 0;
	if (idx >= IW_MAX_DOMS || !doms[idx]) {
		pr_info("%s: dom %u: %d (not allocated)\n", verb, idx, -ENOENT);
		return -ENOENT;
	}
	*dom = doms[idx];
	return idx;
}

static int iw_alloc(void)
{
	struct iommu_domain *dom;
	int i;

	for (i = 0; i < IW_MAX_DOMS && doms[i]; i++)
		;
	if (i == IW_MAX_DOMS) {
		pr_info("alloc: no free slot\n");
		return -ENOSPC;
	}
	if (!iw_dev_present()) {
		pr_info("alloc: device has no iommu\n");
		return -ENODEV;
	}
	dom = iommu_paging_domain_alloc(iw_dev());
	if (IS_ERR(dom)) {
		pr_info("alloc: %ld\n", PTR_ERR(dom));
		return PTR_ERR(dom);
	}
	doms[i] = dom;
	/* The raw address lets a test match iommuwatch's domain records. */
	pr_info("alloc: dom %d type %#x\n", i, dom->type);
	return 0;
}

static int iw_attach_dom(ioasid_t pasid, int idx, struct iommu_domain *dom,
			 const char *what)
{
	struct iommu_attach_handle *handle = NULL;
	struct iw_attach *a;
	int ret;

	if (iw_find_attach(pasid)) {
		ret = -EBUSY;
		goto out;
	}
	a = iw_free_attach();
	if (!a) {
		ret = -ENOSPC;
		goto out;
	}
	if (!iw_dev_present()) {
		ret = -ENODEV;
		goto out;
	}
	handle = kzalloc(sizeof(*handle), GFP_KERNEL);
	if (!handle) {
		ret = -ENOMEM;
		goto out;
	}
	ret = iommu_attach_device_pasid(dom, iw_dev(), pasid, handle);
	if (!ret) {
		*a = (struct iw_attach){ .used = true, .pasid = pasid,
					 .idx = idx, .dom = dom,
					 .handle = handle };
		handle = NULL;
	}
out:
	kfree(handle);
	pr_info("%s pasid %u: %d\n", what, pasid, ret);
	return ret;
}

/* The attachment is over: the core no longer holds its handle. */
static void iw_attach_drop(struct iw_attach *a)
{
	kfree(a->handle);
	*a = (struct iw_attach){ 0 };
}

static int iw_detach(ioasid_t pasid)
{
	struct iw_attach *a = iw_find_attach(pasid);
	int ret = 0;

	if (!a)
		ret = -ENOENT;
	else if (!iw_dev_present())
		ret = -ENODEV;	/* the group is gone: nothing to detach from */
	else {
		iommu_detach_device_pasid(a->dom, iw_dev(), pasid);
		iw_attach_drop(a);
	}
	pr_info("detach pasid %u: %d\n", pasid, ret);
	return ret;
}

/* Move an attached PASID to another of our domains in one step. */
static int iw_replace(ioasid_t pasid, int idx, struct iommu_domain *dom)
{
	struct iw_attach *a = iw_find_attach(pasid);
	struct iommu_attach_handle *handle = NULL;
	int ret = -EOPNOTSUPP;

	if (!IW_HAVE_REPLACE)
		goto out;
	ret = -ENOENT;
	if (!a)
		goto out;
	ret = -ENODEV;
	if (!iw_dev_present())
		goto out;
	ret = -ENOMEM;
	handle = kzalloc(sizeof(*handle), GFP_KERNEL);
	if (!handle)
		goto out;
#if IW_HAVE_REPLACE
	ret = iommu_replace_device_pasid(dom, iw_dev(), pasid, handle);
#endif
	if (!ret) {
		swap(a->handle, handle);	/* the old one is ours again */
		a->idx = idx;
		a->dom = dom;
	}
out:
	kfree(handle);
	pr_info("replace pasid %u dom %d: %d\n", pasid, idx, ret);
	return ret;
}

static int iw_attach_rid(int idx)
{
	int ret = -EBUSY;

	if (iw_rid_dom >= 0)
		goto out;
	ret = -ENODEV;
	if (!iw_dev_present())
		goto out;
	ret = iommu_attach_device(doms[idx], iw_dev());
	if (!ret)
		iw_rid_dom = idx;
out:
	pr_info("attach-rid dom %d: %d\n", idx, ret);
	return ret;
}

static int iw_detach_rid(void)
{
	int ret = 0;

	if (iw_rid_dom < 0)
		ret = -ENOENT;
	else if (!iw_dev_present())
		ret = -ENODEV;
	else
		iommu_detach_device(doms[iw_rid_dom], iw_dev());
	if (ret != -ENOENT) {
		if (iw_rid_dom_freed)
			doms[iw_rid_dom] = NULL;
		iw_rid_dom = -1;
		iw_rid_dom_freed = false;
	}
	pr_info("detach-rid: %d\n", ret);
	return ret;
}

/* Free a domain the RID is still on; the domain stays ours to detach. */
static int iw_free_in_use(int idx)
{
	if (iw_rid_dom != idx || iw_rid_dom_freed) {
		pr_info("free-in-use dom %d: %d (RID not on it)\n", idx, -EINVAL);
		return -EINVAL;
	}
	iommu_domain_free(doms[idx]);
	iw_rid_dom_freed = true;
	pr_info("free-in-use dom %d: 0\n", idx);
	return 0;
}

static int iw_free(int idx)
{
	struct iommu_domain *dom = doms[idx];
	int i;

	if (iw_rid_dom == idx) {
		pr_info("free dom %d: %d (RID attached)\n", idx, -EBUSY);
		return -EBUSY;
	}
	if (iw_dom_attached(idx)) {
		if (iw_dev_present()) {
			pr_info("free dom %d: %d (attached)\n", idx, -EBUSY);
			return -EBUSY;
		}
		/* Device removed: the group that held these PASIDs is gone. */
		for (i = 0; i < IW_MAX_ATTACH; i++) {
			if (!attaches[i].used || attaches[i].idx != idx)
				continue;
			pr_info("free dom %d: pasid %u still attached on removed device\n",
				idx, attaches[i].pasid);
			iw_attach_drop(&attaches[i]);
		}
	}
	iommu_domain_free(dom);
	doms[idx] = NULL;
	pr_info("free dom %d: 0\n", idx);
	return 0;
}

/* Bypass the core: the op itself, told old NULL for an attached RID. */
static int iw_raw_reattach(void)
{
	struct iommu_domain *dom;
	int ret = -EOPNOTSUPP;

	if (!IW_HAVE_ATTACH_OLD)
		goto out;
	ret = -ENODEV;
	if (!iw_dev_present())
		goto out;
	dom = iommu_get_domain_for_dev(iw_dev());
	ret = -ENOENT;
	if (!dom || !dom->ops || !dom->ops->attach_dev)
		goto out;
#if IW_HAVE_ATTACH_OLD
	ret = dom->ops->attach_dev(dom, iw_dev(), NULL);
#endif
out:
	pr_info("raw-reattach: %d\n", ret);
	return ret;
}

static int iw_reset_prepare(void)
{
	int ret = -EOPNOTSUPP;

#if IW_HAVE_RESET_FENCE
	ret = iw_dev_present() ? pci_dev_reset_iommu_prepare(iw_pdev) : -ENODEV;
	if (!ret)
		iw_resets_open++;
#endif
	pr_info("reset-prepare: %d (open %u)\n", ret, iw_resets_open);
	return ret;
}

/* Also with none open: the kernel's done must cope with a stray call. */
static int iw_reset_done(void)
{
	int ret = -EOPNOTSUPP;

#if IW_HAVE_RESET_FENCE
	ret = -ENODEV;
	if (iw_dev_present()) {
		pci_dev_reset_iommu_done(iw_pdev);
		if (iw_resets_open)
			iw_resets_open--;
		ret = 0;
	}
#endif
	pr_info("reset-done: %d (open %u)\n", ret, iw_resets_open);
	return ret;
}

/* Never called: only their presence matters to the driver's check. */
static const struct iommu_dirty_ops iw_no_dirty_ops;

static int iw_break_domain(int idx, bool broken)
{
	doms[idx]->dirty_ops = broken ? &iw_no_dirty_ops : NULL;
	pr_info("%s-domain dom %d: 0\n", broken ? "break" : "mend", idx);
	return 0;
}

static int iw_clear_require_direct(void)
{
	int ret = -ENODEV;

	if (iw_dev_present()) {
		ret = iw_dev()->iommu->require_direct ? 0 : -EALREADY;
		if (!ret) {
			iw_dev()->iommu->require_direct = 0;
			iw_cleared_require_direct = true;
		}
	}
	pr_info("clear-require-direct: %d\n", ret);
	return ret;
}

static int iw_cmd_set(const char *val, const struct kernel_param *kp)
{
	struct iommu_domain *dom;
	unsigned int a, b;
	char verb[24];
	int n, idx, ret;

	n = sscanf(val, "%23s %u %u", verb, &a, &b);
	if (n < 1)
		return -EINVAL;

	mutex_lock(&iw_lock);
	if (!iw_pdev) {
		/* cmd= on the insmod line runs before init took the device. */
		ret = -ENODEV;
	} else if (!strcmp(verb, "alloc") && n == 1) {
		ret = iw_alloc();
	} else if (!strcmp(verb, "attach") && n >= 2) {
		idx = iw_get_dom(verb, n - 2, b, &dom);
		ret = idx < 0 ? idx : iw_attach_dom(a, idx, dom, "attach");
	} else if (!strcmp(verb, "attach-identity") && n == 2) {
		const struct iommu_ops *ops = NULL;

		if (iw_dev_present())
			ops = iw_dev()->iommu->iommu_dev->ops;
		if (!ops || !ops->identity_domain) {
			ret = -EOPNOTSUPP;
			pr_info("attach-identity pasid %u: %d\n", a, ret);
		} else {
			ret = iw_attach_dom(a, IW_IDENTITY, ops->identity_domain,
					    "attach-identity");
		}
	} else if (!strcmp(verb, "replace") && n >= 2) {
		idx = iw_get_dom(verb, n - 2, b, &dom);
		ret = idx < 0 ? idx : iw_replace(a, idx, dom);
	} else if (!strcmp(verb, "detach") && n == 2) {
		ret = iw_detach(a);
	} else if (!strcmp(verb, "free") && n <= 2) {
		idx = iw_get_dom(verb, n - 1, a, &dom);
		ret = idx < 0 ? idx : iw_free(idx);
	} else if (!strcmp(verb, "attach-rid") && n <= 2) {
		idx = iw_get_dom(verb, n - 1, a, &dom);
		ret = idx < 0 ? idx : iw_attach_rid(idx);
	} else if (!strcmp(verb, "detach-rid") && n == 1) {
		ret = iw_detach_rid();
	} else if (!strcmp(verb, "free-in-use") && n <= 2) {
		idx = iw_get_dom(verb, n - 1, a, &dom);
		ret = idx < 0 ? idx : iw_free_in_use(idx);
	} else if (!strcmp(verb, "raw-reattach") && n == 1) {
		ret = iw_raw_reattach();
	} else if (!strcmp(verb, "clear-require-direct") && n == 1) {
		ret = iw_clear_require_direct();
	} else if (!strcmp(verb, "reset-prepare") && n == 1) {
		ret = iw_reset_prepare();
	} else if (!strcmp(verb, "reset-done") && n == 1) {
		ret = iw_reset_done();
	} else if ((!strcmp(verb, "break-domain") ||
		    !strcmp(verb, "mend-domain")) && n <= 2) {
		idx = iw_get_dom(verb, n - 1, a, &dom);
		ret = idx < 0 ? idx : iw_break_domain(idx, verb[0] == 'b');
	} else {
		pr_info("%s: bad command or arguments\n", verb);
		ret = -EINVAL;
	}
	mutex_unlock(&iw_lock);
	return ret;
}

static int iw_cmd_get(char *buf, const struct kernel_param *kp)
{
	int i, len = 0;

	mutex_lock(&iw_lock);
	if (iw_pdev)
		len += sysfs_emit_at(buf, len, "dev %s present %d max_pasids %u\n",
				     pci_name(iw_pdev), iw_dev_present(),
				     iw_dev_present() ?
				     iw_dev()->iommu->max_pasids : 0);
	for (i = 0; i < IW_MAX_DOMS; i++)
		if (doms[i])
			len += sysfs_emit_at(buf, len, "dom %d type %#x\n",
					     i, doms[i]->type);
	for (i = 0; i < IW_MAX_ATTACH; i++)
		if (attaches[i].used)
			len += sysfs_emit_at(buf, len, "pasid %u dom %d\n",
					     attaches[i].pasid, attaches[i].idx);
	mutex_unlock(&iw_lock);
	return len;
}

static const struct kernel_param_ops iw_cmd_ops = {
	.set = iw_cmd_set,
	.get = iw_cmd_get,
};
module_param_cb(cmd, &iw_cmd_ops, NULL, 0600);
MODULE_PARM_DESC(cmd, "alloc | attach PASID [DOM] | attach-identity PASID | replace PASID [DOM] | detach PASID | free [DOM] | attach-rid [DOM] | detach-rid | free-in-use [DOM] | raw-reattach | clear-require-direct | reset-prepare | reset-done | break-domain [DOM] | mend-domain [DOM]");

static int __init iw_init(void)
{
	unsigned int domain, bus, slot, fn;
	struct pci_dev *pdev;
	char c;

	if (!bdf || sscanf(bdf, "%x:%x:%x.%x%c", &domain, &bus, &slot, &fn,
			   &c) != 4) {
		pr_err("bdf=DOMAIN:BUS:SLOT.FUNC is required\n");
		return -EINVAL;
	}
	pdev = pci_get_domain_bus_and_slot(domain, bus, PCI_DEVFN(slot, fn));
	if (!pdev) {
		pr_err("no PCI device %s\n", bdf);
		return -ENODEV;
	}
	if (!device_iommu_mapped(&pdev->dev) || !pdev->dev.iommu) {
		pr_err("%s is not behind an IOMMU\n", bdf);
		pci_dev_put(pdev);
		return -ENODEV;
	}

	mutex_lock(&iw_lock);
	iw_pdev = pdev;
	iw_saved_max_pasids = pdev->dev.iommu->max_pasids;
	if (!iw_saved_max_pasids) {
		pdev->dev.iommu->max_pasids = max_pasids;
		iw_set_max_pasids = true;
	}
	pr_info("%s: max_pasids %u -> %u\n", pci_name(pdev),
		iw_saved_max_pasids, pdev->dev.iommu->max_pasids);
	mutex_unlock(&iw_lock);
	return 0;
}

static void __exit iw_exit(void)
{
	int i;

	mutex_lock(&iw_lock);
	for (i = 0; i < IW_MAX_DOMS; i++)
		if (doms[i] && doms[i]->dirty_ops == &iw_no_dirty_ops)
			doms[i]->dirty_ops = NULL;
	/* Out of the fence first: the core refuses detaches inside it. */
	while (iw_resets_open && !iw_reset_done())
		;
	if (iw_rid_dom >= 0)
		iw_detach_rid();
	for (i = 0; i < IW_MAX_ATTACH; i++)
		if (attaches[i].used && iw_dev_present())
			iw_detach(attaches[i].pasid);
	for (i = 0; i < IW_MAX_DOMS; i++)
		if (doms[i])
			iw_free(i);
	if (iw_set_max_pasids && iw_dev_present())
		iw_dev()->iommu->max_pasids = iw_saved_max_pasids;
	if (iw_cleared_require_direct && iw_dev_present())
		iw_dev()->iommu->require_direct = 1;
	pci_dev_put(iw_pdev);
	iw_pdev = NULL;
	mutex_unlock(&iw_lock);
	pr_info("unloaded\n");
}

module_init(iw_init);
module_exit(iw_exit);

MODULE_DESCRIPTION("Test driver for the IOMMU core's PASID paths (iommuwatch lab)");
MODULE_LICENSE("GPL");
