// Rollcall's readings on Android that the official plugins do not give: the Wi-Fi
// access points around, BLE advertisements, and whether the last location fix
// came from a mock provider. Called from the app's Rust code only.
package org.rollcall.sensors

import android.Manifest
import android.annotation.SuppressLint
import android.app.Activity
import android.bluetooth.BluetoothManager
import android.bluetooth.le.ScanCallback
import android.bluetooth.le.ScanResult
import android.bluetooth.le.ScanSettings
import android.content.BroadcastReceiver
import android.content.Context
import android.content.Intent
import android.content.IntentFilter
import android.content.pm.PackageManager
import android.location.Location
import android.location.LocationManager
import android.net.wifi.WifiManager
import android.os.Build
import android.os.Handler
import android.os.Looper
import androidx.core.content.ContextCompat
import app.tauri.annotation.Command
import app.tauri.annotation.InvokeArg
import app.tauri.annotation.Permission
import app.tauri.annotation.TauriPlugin
import app.tauri.plugin.Invoke
import app.tauri.plugin.JSArray
import app.tauri.plugin.JSObject
import app.tauri.plugin.Plugin

@InvokeArg
class BleScanArgs {
    var listenMs: Long = 2000
}

/** How long a Wi-Fi scan may take before the last results are used. */
private const val WIFI_SCAN_WAIT_MS = 4000L

@TauriPlugin(
    permissions = [
        Permission(strings = [Manifest.permission.ACCESS_FINE_LOCATION], alias = "location"),
        Permission(strings = [Manifest.permission.NEARBY_WIFI_DEVICES], alias = "nearbyWifi"),
        Permission(strings = [Manifest.permission.BLUETOOTH_SCAN], alias = "bluetoothScan"),
    ]
)
class SensorsPlugin(private val activity: Activity) : Plugin(activity) {
    private val context: Context get() = activity.applicationContext
    private val main = Handler(Looper.getMainLooper())

    private fun granted(permission: String): Boolean =
        ContextCompat.checkSelfPermission(context, permission) == PackageManager.PERMISSION_GRANTED

    /** Asks Android for a fresh scan and answers with the results, fresh or not. */
    @Command
    fun wifiScan(invoke: Invoke) {
        // Android hands scan results only to apps with fine location.
        if (!granted(Manifest.permission.ACCESS_FINE_LOCATION)) {
            invoke.reject("permission to use the location was not granted (Android needs it for Wi-Fi scans)")
            return
        }
        val wifi = context.getSystemService(Context.WIFI_SERVICE) as? WifiManager
        if (wifi == null) {
            invoke.reject("this device has no Wi-Fi")
            return
        }
        if (!wifi.isWifiEnabled && !wifi.isScanAlwaysAvailable) {
            invoke.reject("Wi-Fi is off")
            return
        }
        var answered = false
        lateinit var receiver: BroadcastReceiver
        val answer = {
            if (!answered) {
                answered = true
                try {
                    context.unregisterReceiver(receiver)
                } catch (_: IllegalArgumentException) {
                }
                invoke.resolve(scanResults(wifi))
            }
        }
        receiver = object : BroadcastReceiver() {
            override fun onReceive(c: Context, intent: Intent) {
                main.post(answer)
            }
        }
        ContextCompat.registerReceiver(
            context,
            receiver,
            IntentFilter(WifiManager.SCAN_RESULTS_AVAILABLE_ACTION),
            ContextCompat.RECEIVER_NOT_EXPORTED
        )
        // Android throttles scans (four per two minutes in the foreground); a refused
        // scan still leaves the system's last results, which are answered at once.
        @Suppress("DEPRECATION")
        val started = wifi.startScan()
        if (started) {
            main.postDelayed(answer, WIFI_SCAN_WAIT_MS)
        } else {
            main.post(answer)
        }
    }

    @SuppressLint("MissingPermission")
    private fun scanResults(wifi: WifiManager): JSObject {
        val points = JSArray()
        for (result in wifi.scanResults) {
            val point = JSObject()
            point.put("bssid", result.BSSID)
            point.put("rssi", result.level)
            points.put(point)
        }
        val answer = JSObject()
        answer.put("accessPoints", points)
        answer.put("joinedOnly", false)
        return answer
    }

    /** Listens for BLE advertisements for the asked time. */
    @SuppressLint("MissingPermission")
    @Command
    fun bleScan(invoke: Invoke) {
        val args = invoke.parseArgs(BleScanArgs::class.java)
        val needed = if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.S) {
            Manifest.permission.BLUETOOTH_SCAN
        } else {
            Manifest.permission.ACCESS_FINE_LOCATION
        }
        if (!granted(needed)) {
            invoke.reject("permission to use the Bluetooth scanner was not granted")
            return
        }
        val manager = context.getSystemService(Context.BLUETOOTH_SERVICE) as? BluetoothManager
        val adapter = manager?.adapter
        if (adapter == null) {
            invoke.reject("this device has no Bluetooth")
            return
        }
        if (!adapter.isEnabled) {
            invoke.reject("Bluetooth is off")
            return
        }
        val scanner = adapter.bluetoothLeScanner
        if (scanner == null) {
            invoke.reject("this device has no BLE scanner")
            return
        }
        val heard = LinkedHashMap<String, JSObject>()
        val callback = object : ScanCallback() {
            override fun onScanResult(callbackType: Int, result: ScanResult) {
                heard[result.device.address] = advert(result)
            }

            override fun onScanFailed(errorCode: Int) {
                invoke.reject("the BLE scan failed (code $errorCode)")
            }
        }
        val settings = ScanSettings.Builder()
            .setScanMode(ScanSettings.SCAN_MODE_LOW_LATENCY)
            .build()
        scanner.startScan(null, settings, callback)
        main.postDelayed({
            scanner.stopScan(callback)
            val adverts = JSArray()
            for (advert in heard.values) {
                adverts.put(advert)
            }
            val answer = JSObject()
            answer.put("adverts", adverts)
            invoke.resolve(answer)
        }, args.listenMs.coerceIn(200L, 10000L))
    }

    private fun advert(result: ScanResult): JSObject {
        val advert = JSObject()
        advert.put("name", result.scanRecord?.deviceName)
        advert.put("rssi", result.rssi)
        val sections = JSArray()
        val data = result.scanRecord?.manufacturerSpecificData
        if (data != null) {
            for (i in 0 until data.size()) {
                val section = JSObject()
                section.put("companyId", data.keyAt(i))
                val bytes = JSArray()
                for (b in data.valueAt(i)) {
                    bytes.put(b.toInt() and 0xff)
                }
                section.put("data", bytes)
                sections.put(section)
            }
        }
        advert.put("manufacturerData", sections)
        return advert
    }

    /** Whether the newest last-known fix came from a mock provider. */
    @SuppressLint("MissingPermission")
    @Command
    fun locationMocked(invoke: Invoke) {
        val answer = JSObject()
        val manager = context.getSystemService(Context.LOCATION_SERVICE) as? LocationManager
        if (manager == null || !granted(Manifest.permission.ACCESS_FINE_LOCATION)) {
            answer.put("known", false)
            answer.put("mocked", false)
            invoke.resolve(answer)
            return
        }
        var newest: Location? = null
        for (provider in manager.getProviders(true)) {
            val fix = manager.getLastKnownLocation(provider) ?: continue
            if (newest == null || fix.time > newest.time) {
                newest = fix
            }
        }
        answer.put("known", newest != null)
        answer.put("mocked", newest?.let { isMock(it) } ?: false)
        invoke.resolve(answer)
    }

    private fun isMock(fix: Location): Boolean =
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.S) {
            fix.isMock
        } else {
            @Suppress("DEPRECATION")
            fix.isFromMockProvider
        }
}
