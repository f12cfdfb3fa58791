//! Executable images and DLLs the simulated devices run, with version info and hashes.

use crate::ids::Hashes;

/// A file that runs or is loaded: path, version resource, hashes.
#[derive(Debug, Clone)]
pub(crate) struct Image {
    /// Full path including the file name.
    pub path: String,
    pub name: String,
    pub company: String,
    pub product: String,
    pub version: String,
    pub original: String,
    pub internal: String,
    pub description: String,
    pub size: i64,
    pub hashes: Hashes,
    pub signer: &'static str,
}

impl Image {
    /// An image at `path`; version info as a Windows binary would carry it.
    pub(crate) fn new(path: &str, company: &str, product: &str, description: &str, original: &str, version: &str, size: i64) -> Image {
        let name = path.rsplit(['\\', '/']).next().unwrap_or(path).to_string();
        let internal = original.trim_end_matches(".exe").trim_end_matches(".EXE").trim_end_matches(".dll").to_string();
        Image {
            hashes: Hashes::of(&format!("{path}|{version}")),
            path: path.to_string(),
            name,
            company: company.to_string(),
            product: product.to_string(),
            version: version.to_string(),
            original: original.to_string(),
            internal,
            description: description.to_string(),
            size,
            signer: if company.is_empty() { "None" } else { "OsVendor" },
        }
    }

    /// A Unix binary: no version resource.
    pub(crate) fn unix(path: &str, size: i64) -> Image {
        let mut i = Image::new(path, "", "", "", "", "", size);
        i.signer = "None";
        i
    }

    /// An unsigned file dropped by an attacker.
    pub(crate) fn unsigned(path: &str, size: i64, label: &str) -> Image {
        let mut i = Image::new(path, "", "", "", "", "", size);
        i.hashes = Hashes::of(label);
        i.signer = "None";
        i
    }

    /// Same binary content at another path (hash unchanged), e.g. a copied tool.
    pub(crate) fn at(&self, path: &str) -> Image {
        let mut i = self.clone();
        i.path = path.to_string();
        i.name = path.rsplit(['\\', '/']).next().unwrap_or(path).to_string();
        i
    }
}

/// Names of the images every simulated device knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Img {
    System,
    Smss,
    Wininit,
    Services,
    Lsass,
    Svchost,
    Explorer,
    Userinit,
    Cmd,
    Conhost,
    PowerShell,
    Rundll32,
    Net,
    Net1,
    Whoami,
    Nltest,
    Ipconfig,
    Gpupdate,
    Taskhostw,
    BackgroundTaskHost,
    SearchProtocolHost,
    MsMpEng,
    MpCmdRun,
    WmiPrvSe,
    Wmic,
    Vssadmin,
    Wbadmin,
    Bcdedit,
    Sc,
    RuntimeBroker,
    WinWord,
    Excel,
    Outlook,
    PowerPnt,
    Teams,
    OneDrive,
    Chrome,
    MsEdge,
    SevenZip,
    Sqlservr,
    Dns,
    SenseNdr,
    Wuauclt,
    TiWorker,
    Notepad,
    Mstsc,
    // DLLs
    Ntdll,
    Kernel32,
    Amsi,
    Vbe7,
    Mso,
    ChromeElf,
    Comsvcs,
    Wininet,
    Dbghelp,
    // Unix
    LxSystemd,
    LxSshd,
    LxBash,
    LxSh,
    LxCron,
    LxPython,
    LxCurl,
    LxApt,
    LxNginx,
    LxGit,
    LxDocker,
    LxSudo,
    LxCrontab,
    LxDpkg,
    MacLaunchd,
    MacZsh,
    MacSafari,
    MacChrome,
    MacOutlook,
    MacTeams,
    MacMdworker,
    MacSoftwareUpdate,
}

/// The catalogue of images, indexed by [`Img`].
#[derive(Debug, Clone)]
pub(crate) struct Images {
    all: Vec<Image>,
}

const MS: &str = "Microsoft Corporation";
const WIN: &str = "Microsoft® Windows® Operating System";
const OFFICE: &str = "Microsoft Office";
const S32: &str = r"C:\Windows\System32";
const OFF: &str = r"C:\Program Files\Microsoft Office\root\Office16";

impl Images {
    pub(crate) fn new() -> Images {
        use Img::*;
        let w = |file: &str, desc: &str, orig: &str, size: i64| {
            Image::new(&format!(r"{S32}\{file}"), MS, WIN, desc, orig, "10.0.22621.3235", size)
        };
        let table: Vec<(Img, Image)> = vec![
            (System, Image::new("System", "", "", "", "", "", 0)),
            (Smss, w("smss.exe", "Windows Session Manager", "smss.exe", 154_896)),
            (Wininit, w("wininit.exe", "Windows Start-Up Application", "wininit.exe", 466_944)),
            (Services, w("services.exe", "Services and Controller app", "services.exe", 716_288)),
            (Lsass, w("lsass.exe", "Local Security Authority Process", "lsass.exe", 84_808)),
            (Svchost, w("svchost.exe", "Host Process for Windows Services", "svchost.exe", 55_320)),
            (Explorer, Image::new(r"C:\Windows\explorer.exe", MS, WIN, "Windows Explorer", "EXPLORER.EXE", "10.0.22621.3235", 5_447_608)),
            (Userinit, w("userinit.exe", "Userinit Logon Application", "USERINIT.EXE", 31_744)),
            (Cmd, w("cmd.exe", "Windows Command Processor", "Cmd.Exe", 323_584)),
            (Conhost, w("conhost.exe", "Console Window Host", "CONHOST.EXE", 862_208)),
            (PowerShell, Image::new(r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe", MS, WIN, "Windows PowerShell", "PowerShell.EXE", "10.0.22621.3235", 455_680)),
            (Rundll32, w("rundll32.exe", "Windows host process (Rundll32)", "RUNDLL32.EXE", 71_680)),
            (Net, w("net.exe", "Net Command", "net.exe", 57_344)),
            (Net1, w("net1.exe", "Net Command", "net1.exe", 183_296)),
            (Whoami, w("whoami.exe", "whoami - displays logged on user information", "whoami.exe", 73_728)),
            (Nltest, w("nltest.exe", "Microsoft® Logon Server Test Utility", "nltestrk.exe", 103_424)),
            (Ipconfig, w("ipconfig.exe", "IP Configuration Utility", "ipconfig.exe", 35_840)),
            (Gpupdate, w("gpupdate.exe", "Microsoft® Windows Group Policy Update Utility", "GPUpdate.exe", 32_768)),
            (Taskhostw, w("taskhostw.exe", "Host Process for Windows Tasks", "taskhostw.exe", 101_800)),
            (BackgroundTaskHost, w("backgroundTaskHost.exe", "Background Task Host", "backgroundTaskHost.exe", 19_264)),
            (SearchProtocolHost, w("SearchProtocolHost.exe", "Microsoft Windows Search Protocol Host", "SearchProtocolHost.exe", 408_576)),
            (MsMpEng, Image::new(r"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24020.7-0\MsMpEng.exe", MS, WIN, "Antimalware Service Executable", "MsMpEng.exe", "4.18.24020.7", 133_960)),
            (MpCmdRun, Image::new(r"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24020.7-0\MpCmdRun.exe", MS, WIN, "Microsoft Malware Protection Command Line Utility", "MpCmdRun.exe", "4.18.24020.7", 1_452_896)),
            (WmiPrvSe, w(r"wbem\WmiPrvSE.exe", "WMI Provider Host", "Wmiprvse.exe", 494_080)),
            (Wmic, w(r"wbem\WMIC.exe", "WMI Commandline Utility", "wmic.exe", 520_192)),
            (Vssadmin, w("vssadmin.exe", "Command Line Interface for Microsoft® Volume Shadow Copy Service ", "VSSADMIN.EXE", 138_240)),
            (Wbadmin, w("wbadmin.exe", "Command Line Interface for Microsoft® BLB Backup", "WBADMIN.EXE", 367_616)),
            (Bcdedit, w("bcdedit.exe", "Boot Configuration Data Editor", "bcdedit.exe", 483_328)),
            (Sc, w("sc.exe", "Service Control Manager Configuration Tool", "sc.exe", 69_632)),
            (RuntimeBroker, w("RuntimeBroker.exe", "Runtime Broker", "RuntimeBroker.exe", 139_264)),
            (WinWord, Image::new(&format!(r"{OFF}\WINWORD.EXE"), MS, OFFICE, "Microsoft Word", "WinWord.exe", "16.0.17328.20162", 1_630_104)),
            (Excel, Image::new(&format!(r"{OFF}\EXCEL.EXE"), MS, OFFICE, "Microsoft Excel", "Excel.exe", "16.0.17328.20162", 67_437_464)),
            (Outlook, Image::new(&format!(r"{OFF}\OUTLOOK.EXE"), MS, OFFICE, "Microsoft Outlook", "Outlook.exe", "16.0.17328.20162", 43_009_432)),
            (PowerPnt, Image::new(&format!(r"{OFF}\POWERPNT.EXE"), MS, OFFICE, "Microsoft PowerPoint", "POWERPNT.EXE", "16.0.17328.20162", 1_871_256)),
            (Teams, Image::new(r"C:\Program Files\WindowsApps\MSTeams_24033.811.2738.2546_x64__8wekyb3d8bbwe\ms-teams.exe", MS, "Microsoft Teams", "Microsoft Teams", "ms-teams.exe", "24033.811.2738.2546", 3_551_592)),
            (OneDrive, Image::new(r"C:\Program Files\Microsoft OneDrive\OneDrive.exe", MS, "Microsoft OneDrive", "Microsoft OneDrive", "OneDrive.exe", "24.035.0218.0003", 3_659_576)),
            (Chrome, Image::new(r"C:\Program Files\Google\Chrome\Application\chrome.exe", "Google LLC", "Google Chrome", "Google Chrome", "chrome.exe", "122.0.6261.95", 2_755_608)),
            (MsEdge, Image::new(r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe", MS, "Microsoft Edge", "Microsoft Edge", "msedge.exe", "122.0.2365.66", 4_087_344)),
            (SevenZip, Image::new(r"C:\Program Files\7-Zip\7z.exe", "Igor Pavlov", "7-Zip", "7-Zip Console", "7z.exe", "23.01", 567_808)),
            (Sqlservr, Image::new(r"C:\Program Files\Microsoft SQL Server\MSSQL15.MSSQLSERVER\MSSQL\Binn\sqlservr.exe", MS, "Microsoft SQL Server", "SQL Server Windows NT - 64 Bit", "sqlservr.exe", "2019.150.4355.3", 503_200)),
            (Dns, w("dns.exe", "Domain Name System (DNS) Server", "dns.exe", 2_563_584)),
            (SenseNdr, Image::new(r"C:\Program Files\Windows Defender Advanced Threat Protection\SenseNdr.exe", MS, WIN, "Windows Defender Advanced Threat Protection Network Detection and Response", "SenseNdr.exe", "10.8760.22621.1016", 3_322_112)),
            (Wuauclt, w("wuauclt.exe", "Windows Update", "wuauclt.exe", 94_208)),
            (TiWorker, Image::new(r"C:\Windows\WinSxS\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.22621.3147_none_f5d4b6e0a2e5e7c4\TiWorker.exe", MS, WIN, "Windows Modules Installer Worker", "TiWorker.exe", "10.0.22621.3147", 229_376)),
            (Notepad, w("notepad.exe", "Notepad", "NOTEPAD.EXE", 201_216)),
            (Mstsc, w("mstsc.exe", "Remote Desktop Connection", "mstsc.exe", 1_368_064)),
            (Ntdll, w("ntdll.dll", "NT Layer DLL", "ntdll.dll", 2_163_272)),
            (Kernel32, w("kernel32.dll", "Windows NT BASE API Client DLL", "kernel32", 775_640)),
            (Amsi, w("amsi.dll", "Anti-Malware Scan Interface", "amsi.dll", 91_136)),
            (Vbe7, Image::new(r"C:\Program Files\Common Files\microsoft shared\VBA\VBA7.1\VBE7.DLL", MS, "Microsoft Visual Basic for Applications", "Visual Basic for Applications Runtime", "VBE7.DLL", "7.1.11.27", 3_520_904)),
            (Mso, Image::new(r"C:\Program Files\Common Files\microsoft shared\Office16\mso.dll", MS, OFFICE, "Microsoft Office component", "mso.dll", "16.0.17328.20162", 11_286_392)),
            (ChromeElf, Image::new(r"C:\Program Files\Google\Chrome\Application\122.0.6261.95\chrome_elf.dll", "Google LLC", "Google Chrome", "Google Chrome", "chrome_elf.dll", "122.0.6261.95", 1_316_376)),
            (Comsvcs, w("comsvcs.dll", "COM+ Services", "comsvcs.dll", 1_409_024)),
            (Wininet, w("wininet.dll", "Internet Extensions for Win32", "wininet.dll", 4_961_280)),
            (Dbghelp, w("dbghelp.dll", "Windows Image Helper", "DBGHELP.DLL", 1_837_568)),
            (LxSystemd, Image::unix("/usr/lib/systemd/systemd", 96_152)),
            (LxSshd, Image::unix("/usr/sbin/sshd", 921_416)),
            (LxBash, Image::unix("/usr/bin/bash", 1_396_520)),
            (LxSh, Image::unix("/usr/bin/dash", 125_688)),
            (LxCron, Image::unix("/usr/sbin/cron", 55_944)),
            (LxPython, Image::unix("/usr/bin/python3.10", 5_913_032)),
            (LxCurl, Image::unix("/usr/bin/curl", 260_328)),
            (LxApt, Image::unix("/usr/bin/apt-get", 18_824)),
            (LxNginx, Image::unix("/usr/sbin/nginx", 1_207_120)),
            (LxGit, Image::unix("/usr/bin/git", 3_376_912)),
            (LxDocker, Image::unix("/usr/bin/dockerd", 96_432_408)),
            (LxSudo, Image::unix("/usr/bin/sudo", 232_416)),
            (LxCrontab, Image::unix("/usr/bin/crontab", 43_720)),
            (LxDpkg, Image::unix("/usr/bin/dpkg", 305_448)),
            (MacLaunchd, Image::unix("/sbin/launchd", 1_162_688)),
            (MacZsh, Image::unix("/bin/zsh", 1_381_056)),
            (MacSafari, Image::unix("/Applications/Safari.app/Contents/MacOS/Safari", 1_102_480)),
            (MacChrome, Image::unix("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome", 334_624)),
            (MacOutlook, Image::unix("/Applications/Microsoft Outlook.app/Contents/MacOS/Microsoft Outlook", 140_215_360)),
            (MacTeams, Image::unix("/Applications/Microsoft Teams.app/Contents/MacOS/MSTeams", 2_121_792)),
            (MacMdworker, Image::unix("/System/Library/Frameworks/CoreServices.framework/Frameworks/Metadata.framework/Versions/A/Support/mdworker_shared", 258_416)),
            (MacSoftwareUpdate, Image::unix("/System/Library/PrivateFrameworks/SoftwareUpdate.framework/Resources/softwareupdated", 1_851_344)),
        ];
        let mut all: Vec<Option<Image>> = vec![None; table.len()];
        for (k, img) in table {
            if let Some(slot) = all.get_mut(k as usize) {
                *slot = Some(img);
            }
        }
        Images { all: all.into_iter().map(|i| i.unwrap_or_else(|| Image::unix("/unknown", 0))).collect() }
    }

    pub(crate) fn get(&self, k: Img) -> &Image {
        // Every variant has an entry (checked by a unit test); the fallback is the first image.
        self.all.get(k as usize).unwrap_or(&self.all[0])
    }

    #[cfg(test)]
    pub(crate) fn all(&self) -> &[Image] {
        &self.all
    }
}
